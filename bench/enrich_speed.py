"""Speed of the enrichment core: tokenise, vectorise, deduplicate, cluster 10k and 100k synthetic articles.

    .venv/bin/python -m bench.enrich_speed            # both sizes, one table
    .venv/bin/python -m bench.enrich_speed --sizes 10000
    .venv/bin/python -m bench.enrich_speed --sizes 10000 --gates rule model rule model   # the gate, interleaved

Each size runs in its own child process (pinned to two CPUs), so peak RSS is that size's alone;
the tokenizer pool's workers are counted through RUSAGE_CHILDREN. The corpus is built before the
clock starts (see bench/corpus.py); the models (relevance, category) are not part of this figure.
"CPU s" is user+system time of the process and its workers: on a shared machine (see "load avg",
the 1-minute load when the run started) wall time includes waiting for a CPU, CPU time does not.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import datetime

from bench.corpus import PER_DAY, synthetic_articles
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
    """Run the core once over ``size`` articles; seconds per stage, total, articles/s and peak RSS."""
    docs = synthetic_articles(size)
    chars = sum(len(d["title"]) + len(d["body"]) for d in docs)
    kit = TokenizerKit.build()
    load = os.getloadavg()[0]
    cpu_before = sum(
        u.ru_utime + u.ru_stime for u in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )
    started = time.perf_counter()
    result = enrich(docs, [], kit=kit, settings=_settings(processes, gate), now=datetime(2026, 3, 1, tzinfo=SHANGHAI))
    total = time.perf_counter() - started
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    own, children = usage[0].ru_maxrss, usage[1].ru_maxrss
    cpu = sum(u.ru_utime + u.ru_stime for u in usage) - cpu_before
    duplicates = sum(1 for _, f in result.updates if f.get("duplicate_of"))
    return {
        "size": size,
        "gate": gate,
        "chars_per_doc": chars / size,
        "total_s": total,
        "cpu_s": cpu,
        "load": load,
        "per_s": size / total,
        "peak_rss_mb": own / 1024,
        "worker_rss_mb": children / 1024,
        "duplicates": duplicates,
        "clusters": len(result.clusters),
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
    print(f"enrichment core, {args.processes} tokenizer processes, 2 CPUs, {PER_DAY} articles/day\n")
    header = [
        "articles",
        "gate",
        "chars/doc",
        "total s",
        "articles/s",
        *(f"{s} s" for s in STAGES),
        "CPU s",
        "peak RSS MB",
        "worker RSS MB",
        "load avg",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        cells = [
            f"{r['size']:,}",
            str(r["gate"]),
            f"{r['chars_per_doc']:.0f}",
            f"{r['total_s']:.1f}",
            f"{r['per_s']:.0f}",
            *(f"{r[f'{s}_s']:.1f}" for s in STAGES),
            f"{r['cpu_s']:.1f}",
            f"{r['peak_rss_mb']:.0f}",
            f"{r['worker_rss_mb']:.0f}",
            f"{r['load']:.1f}",
        ]
        print("| " + " | ".join(cells) + " |")
    if len(rows) >= 2:
        small, large = rows[0], rows[-1]
        ratio = large["total_s"] / small["total_s"]
        print(f"\ngrowth {large['size']:,}/{small['size']:,} articles: {ratio:.1f}x time "
              f"(x{large['size'] / small['size']:.0f} articles)")  # fmt: skip
        for r in rows:
            print(f"{r['size']:,}: {r['duplicates']:,} duplicates marked, {r['clusters']:,} clusters")


if __name__ == "__main__":
    main()
