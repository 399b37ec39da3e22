"""Whether this checkout's enrichment decides what another checkout's does: every field, cluster, pair and verdict.

    .venv/bin/python -m bench.enrich_identity --baseline /tmp/speed-base          # 10k corpus and the feed weeks
    .venv/bin/python -m bench.enrich_identity --baseline /tmp/speed-base --sizes 100000 --weeks --processes 1 2

A speed change must not change a decision. Each input (the event corpus of ``bench.corpus`` at each size, each real
feed week of ``bench/data/feeds``) is enriched once by the baseline checkout (its own ``.venv``, its own code, one
process) and once per ``--processes`` by this one, each in a child process. A child enriches the input twice and
writes, one canonical JSON line each: every article's fields (stored tokens, keywords, duplicate marks, cluster,
gate), every cluster document and the empty clusters of a plain run; every candidate pair of every day with all the
gate's features, and the shipped pair model's verdict on each, from a run with a candidate sink; and that run's fields
and clusters (``with_sink``: a sink makes the runner decide every pair itself). Parts are compared line by line; the
first difference is printed; the exit status is 1 on any.

The child is this file's own text run with ``python -c`` in the checkout being measured (so no ``__file__`` there),
importing that checkout's ``enrich`` and ``bench``; it only uses what both sides have (``enrich.runner.enrich`` and
its candidate sink).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from itertools import zip_longest
from pathlib import Path
from typing import Any

PARTS = ("updates", "clusters", "empty", "candidates", "verdicts", "with_sink")
WEEKS = ("dev", "dev-0723", "dev-0817", "test")


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _child(source: str, processes: int, out: Path) -> None:
    """Enrich one input and write its canonical parts under ``out`` (run inside the checkout being measured)."""
    from datetime import datetime

    from crawler.dates import SHANGHAI
    from enrich.pairmodel import load_pair_model
    from enrich.runner import EnrichSettings, enrich
    from enrich.tokens import TokenizerKit

    kind, _, name = source.partition(":")
    if kind == "corpus":
        from bench.corpus import event_corpus

        docs = event_corpus(int(name))
    else:
        from bench.feed_quality import feed_articles

        docs = feed_articles(name)[0]
    files = {part: (out / f"{part}.jsonl").open("w", encoding="utf-8") for part in PARTS}
    accept = load_pair_model().accept

    def sink(day: Any, candidates: Any) -> None:
        pairs = [pair for _, _, pair in candidates]
        for (later, earlier, pair), verdict in zip(candidates, accept(pairs), strict=True):
            files["candidates"].write(_line([str(day), later, earlier, dataclasses.asdict(pair)]) + "\n")
            files["verdicts"].write(_line([str(day), later, earlier, verdict]) + "\n")

    now, kit = datetime(2026, 6, 1, tzinfo=SHANGHAI), TokenizerKit.build()
    settings = EnrichSettings(processes=processes)
    # Twice: as a caller runs it (no sink: a second process may decide on its own), and with the sink that records
    # the candidates (the runner then sees every pair); both must decide the same.
    result = enrich(docs, [], kit=kit, settings=settings, now=now)
    for doc_id, fields in result.updates:
        files["updates"].write(_line([doc_id, fields]) + "\n")
    for cluster in result.clusters:
        files["clusters"].write(_line(cluster) + "\n")
    for cluster_id in result.empty_clusters:
        files["empty"].write(_line(cluster_id) + "\n")
    seen = enrich(docs, [], kit=kit, settings=settings, now=now, on_candidates=sink)
    for doc_id, fields in seen.updates:
        files["with_sink"].write(_line(["update", doc_id, fields]) + "\n")
    for cluster in seen.clusters:
        files["with_sink"].write(_line(["cluster", cluster]) + "\n")
    for handle in files.values():
        handle.close()


def _run(root: Path, python: str, source: str, processes: int, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    command = [python, "-c", Path(__file__).read_text(encoding="utf-8"), "--child", source,
               "--processes", str(processes), "--out", str(out)]  # fmt: skip
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{source} in {root} failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")


def _digest(path: Path) -> tuple[str, int]:
    sha, lines = hashlib.sha256(), 0
    with path.open("rb") as handle:
        for line in handle:
            sha.update(line)
            lines += 1
    return sha.hexdigest()[:16], lines


def first_difference(a: Path, b: Path) -> str | None:
    """The first line where two part files differ (both shown, cut short), None when they are the same."""
    with a.open(encoding="utf-8") as left, b.open(encoding="utf-8") as right:
        for number, (x, y) in enumerate(zip_longest(left, right), 1):
            if x is None or y is None:
                return f"one side has more lines: {(x or y or '').strip()[:200]}"
            if x != y:
                return f"line {number}:\n    baseline: {x.strip()[:400]}\n    this:     {y.strip()[:400]}"
    return None


def compare(baseline: Path, this: Path) -> list[str]:
    """One line per part: its digest and line count, and the first difference where there is one."""
    out = []
    for part in PARTS:
        (digest, lines), (other, _) = _digest(baseline / f"{part}.jsonl"), _digest(this / f"{part}.jsonl")
        if digest == other:
            out.append(f"  {part}: identical ({lines:,} lines, {digest})")
        else:
            out.append(f"  {part}: DIFFERENT, {first_difference(baseline / f'{part}.jsonl', this / f'{part}.jsonl')}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="the other checkout (with its own .venv)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000], help="event corpus sizes")
    parser.add_argument("--weeks", nargs="*", default=list(WEEKS), help="feed weeks (none: --weeks alone)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="this checkout's runs")
    parser.add_argument("--keep", type=Path, help="write the parts here (not a temporary folder); reuse the baseline's")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.processes[0], args.out)
        return
    if args.baseline is None:
        parser.error("--baseline is required")
    baseline_python = str(args.baseline / ".venv" / "bin" / "python")
    sources = [f"corpus:{n}" for n in args.sizes] + [f"week:{w}" for w in args.weeks]
    commit = subprocess.run(["git", "-C", str(args.baseline), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=True).stdout.strip()  # fmt: skip
    differ = 0
    with tempfile.TemporaryDirectory(prefix="enrich-identity-") as scratch:
        tmp = args.keep or Path(scratch)
        for source in sources:
            base = tmp / source.replace(":", "-") / f"baseline-{commit}"
            if not (base / f"{PARTS[-1]}.jsonl").exists():  # a kept baseline of that commit is reused
                _run(args.baseline, baseline_python, source, 1, base)
            for processes in args.processes:
                mine = tmp / source.replace(":", "-") / f"this-{processes}"
                if mine.exists():
                    shutil.rmtree(mine)
                _run(Path(__file__).resolve().parent.parent, sys.executable, source, processes, mine)
                lines = compare(base, mine)
                differ += sum("DIFFERENT" in line for line in lines)
                print(f"{source}, {processes} process(es) against the baseline's one:", *lines, sep="\n", flush=True)
    print(f"\n{differ} part(s) differ" if differ else "\nevery part identical")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
