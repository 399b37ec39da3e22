"""Speed of the enrichment core on the event corpus: tokenise, vectorise, deduplicate, cluster 10k and 100k articles.

    .venv/bin/python -m bench.enrich_speed                     # 10k and 100k, one table
    .venv/bin/python -m bench.enrich_speed --sizes 10000 --processes 1
    .venv/bin/python -m bench.enrich_speed --sizes 10000 --gates rule model rule model   # the gate, interleaved

Each size runs in its own child process pinned to two CPUs (so the figures are that size's alone), with
``--processes`` processes (``EnrichSettings.processes``: 2 computes the event join's candidates in a second
process beside the rest). The corpus (``bench.corpus.event_corpus``: real text, several sources per event, reposts,
days of real varying size) is built before the clock starts; the relevance and category models are not part of this
figure. Reported: wall seconds per stage, CPU seconds (user + system of the process and of every worker), and memory
as the sum of every process's own peak RSS (the main process and each worker, sampled from /proc while they run;
pages a worker shares with its parent by fork are counted in both, so the sum is an upper bound). "load" is the
1-minute load average when the run started: on a shared machine wall time includes waiting for a CPU, CPU time does
not.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime

from bench.corpus import PER_DAY, describe, event_corpus
from bench.procstat import PeakSampler, peak_rss_mb
from crawler.dates import SHANGHAI
from enrich.pairgate import GateRules, offline_verdict
from enrich.runner import EnrichSettings, enrich
from enrich.tokens import TokenizerKit

STAGES = ("tokenize", "vectorize", "window", "neighbours", "dedupe", "cluster", "keywords")


# The offline gate of the event join: the shipped pair model (v3) or the stricter rule it replaced (v2).
GATES = ("model", "rule")


def _settings(processes: int, gate: str) -> EnrichSettings:
    if gate == "rule":
        rules = GateRules()
        return EnrichSettings(
            processes=processes, gate_verdict=lambda pairs: [offline_verdict(p, rules) for p in pairs]
        )
    return EnrichSettings(processes=processes)


def measure(size: int, processes: int, gate: str = "model") -> dict[str, float | str]:
    """Run the core once over ``size`` articles: seconds per stage, CPU, summed peak memory, cluster shape."""
    docs = event_corpus(size)
    shape = describe(docs)
    kit = TokenizerKit.build()
    load = os.getloadavg()[0]
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu_before = sum(u.ru_utime + u.ru_stime for u in usage)
    started = time.perf_counter()
    with PeakSampler() as sampler:
        result = enrich(
            docs, [], kit=kit, settings=_settings(processes, gate), now=datetime(2026, 6, 1, tzinfo=SHANGHAI)
        )
    total = time.perf_counter() - started
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = sum(u.ru_utime + u.ru_stime for u in usage) - cpu_before
    fields = [f for _, f in result.updates if "cluster_id" in f]
    sizes = Counter(f["cluster_id"] for f in fields)
    own = peak_rss_mb(os.getpid())
    workers = sum(sampler.peaks.values())
    return {
        "size": size,
        "gate": gate,
        **shape,
        "total_s": total,
        "cpu_s": cpu,
        "load": load,
        "per_s": size / total,
        "main_rss_mb": own,
        "workers": len(sampler.peaks),
        "worker_rss_mb": workers,
        "summed_rss_mb": own + workers,
        "duplicates": sum(1 for f in fields if f.get("duplicate_of")),
        "clusters": len(sizes),
        "in_multi": sum(n for n in sizes.values() if n > 1),
        "largest": max(sizes.values(), default=0),
        **{f"{stage}_s": result.timings.get(stage, 0.0) for stage in STAGES},
    }


def _child(size: int, processes: int, gate: str) -> dict[str, float | str]:
    cpus = sorted(os.sched_getaffinity(0))[:2]
    os.sched_setaffinity(0, set(cpus))
    return measure(size, processes, gate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--gates", nargs="+", choices=GATES, default=["model"], help="runs per size, in this order")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.processes, args.gates[0])))
        return
    rows = []
    for size in args.sizes:
        for gate in args.gates:
            command = [sys.executable, "-m", "bench.enrich_speed", "--child", str(size), "--processes",
                       str(args.processes), "--gates", gate]  # fmt: skip
            out = subprocess.run(command, check=True, capture_output=True, text=True)
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"enrichment core, {args.processes} processes, 2 CPUs, event corpus ({PER_DAY} articles/day avg)\n")
    header = ["articles", "gate", "days", "chars/doc", "wall s", "articles/s", *(f"{s} s" for s in STAGES)]
    header += ["CPU s", "main MB", "workers MB", "summed MB", "load"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        cells = [f"{r['size']:,}", str(r["gate"]), f"{r['days']}", f"{r['chars_per_doc']:.0f}", f"{r['total_s']:.1f}"]
        cells += [f"{r['per_s']:.0f}", *(f"{r[f'{s}_s']:.1f}" for s in STAGES), f"{r['cpu_s']:.1f}"]
        cells += [f"{r['main_rss_mb']:.0f}", f"{r['worker_rss_mb']:.0f} ({r['workers']})"]
        cells += [f"{r['summed_rss_mb']:.0f}", f"{r['load']:.1f}"]
        print("| " + " | ".join(cells) + " |")
    print()
    for r in rows:
        print(
            f"{r['size']:,}: {r['min_per_day']}-{r['max_per_day']} articles/day, {r['newsflash_share']:.0%} 快讯; "
            f"{r['duplicates']:,} duplicates marked; {r['clusters']:,} clusters, {r['in_multi']:,} articles in "
            f"clusters of 2+, largest {r['largest']}"
        )


if __name__ == "__main__":
    main()
