"""Crawl throughput like for like: the same spiders on the same mirror of real pages, storage off against on.

    .venv/bin/python -m bench.crawl_speed                         # 1,500 articles, 3 rounds
    .venv/bin/python -m bench.crawl_speed --articles 600 --rounds 2

Mirror: ``bench.crawl_mirror`` (the real captured article pages of five sources under many URLs, real
size, served by ``bench.mirror_process`` in a process of its own). Each round runs every mode once, in
turn (A B C A B C ...), each crawl a fresh process (``bench.crawl_run``) with the throttle off:
- ``off``: the spiders and the normalise/validate pipelines, no store: the baseline;
- ``embedded``: the full pipeline into the embedded SecantusDB inside the crawl process (the default);
- ``server``: the full pipeline into SecantusDB as a separate process (``secantusd-py``), a fresh
  database each run.
Reported per mode: the median articles/s and its spread (min-max over the rounds), the ratio of medians
to ``off`` and the median of each round's ratio to that round's ``off`` run, and CPU seconds per 1,000
articles of the crawl process, of the database process and of the mirror. ``scrapy bench`` (link
extraction over generated pages, not this workload) is printed once as a reference line only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from bench.crawl_mirror import SPIDERS, build_mirror
from bench.mirror_process import MirrorProcess
from bench.procstat import cpu_seconds
from tests.servers import MongoServerProcess

MODES = ("off", "embedded", "server")


def scrapy_bench() -> float:
    """Pages per second of ``scrapy bench`` on this machine: the median of its per-minute rates."""
    with tempfile.TemporaryDirectory() as cwd:
        env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
        scrapy = str(Path(sys.executable).parent / "scrapy")
        out = subprocess.run([scrapy, "bench"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    rates = [int(m) for m in re.findall(r"\(at (\d+) pages/min\)", out.stderr) if int(m) > 0]
    if not rates:
        raise RuntimeError("scrapy bench printed no rate:\n" + out.stderr[-2000:])
    return statistics.median(rates) / 60


def crawl(mode: str, mirror: MirrorProcess, work: Path, server: MongoServerProcess | None) -> dict[str, Any]:
    """One crawl of every spider in ``mode``; its figures, with the database's and mirror's CPU over it."""
    data = work / f"{mode}-{uuid.uuid4().hex[:8]}"
    db = f"bench_{uuid.uuid4().hex[:8]}"
    args = [sys.executable, "-m", "bench.crawl_run", "--mode", mode, "--mirror", mirror.base_url, "--data", str(data)]
    if server is not None and mode == "server":
        args += ["--mongo-uri", server.uri.rstrip("/") + "/"]
    env = {**os.environ, "MONGO_DATABASE": db}
    db_pid = server.proc.pid if server is not None and server.proc is not None else None
    db_before = cpu_seconds(db_pid) if db_pid else 0.0
    mirror_before = cpu_seconds(mirror.pid)
    out = subprocess.run([*args, *SPIDERS], capture_output=True, text=True, env=env, timeout=900)
    if out.returncode:
        raise RuntimeError(f"{mode} crawl failed:\n{out.stderr[-3000:]}")
    row: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    row["db_cpu"] = (cpu_seconds(db_pid) - db_before) if db_pid and mode == "server" else 0.0
    row["mirror_cpu"] = cpu_seconds(mirror.pid) - mirror_before
    row["load"] = os.getloadavg()[0]
    if server is not None and mode == "server":
        with MongoClient(server.uri) as client:
            client.drop_database(db)
    shutil.rmtree(data, ignore_errors=True)
    return row


def summary(rows: list[dict[str, Any]], articles: int) -> list[str]:
    """The table: one line per mode, medians and spreads over its rounds."""
    rate = {m: [r["items"] / r["seconds"] for r in rows if r["mode"] == m] for m in MODES}
    base = statistics.median(rate["off"])
    # Each mode against the storage-off run of its own round (minutes apart, not the whole bench apart).
    paired = {m: statistics.median(a / b for a, b in zip(rate[m], rate["off"], strict=True)) for m in MODES}
    lines = [
        "| mode | runs | articles/s median | min-max | vs storage off | same round vs off | crawl CPU s /1k "
        "| database CPU s /1k | mirror CPU s /1k | stored | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mode in MODES:
        mine = [r for r in rows if r["mode"] == mode]
        median = statistics.median(rate[mode])
        per_k = {k: 1000 * statistics.median(r[k] / r["items"] for r in mine) for k in ("cpu", "db_cpu", "mirror_cpu")}
        stored = "–" if mode == "off" else f"{min(r['stored'] for r in mine)}/{articles}"
        loads = [r["load"] for r in mine]
        lines.append(
            f"| {mode} | {len(mine)} | {median:.1f} | {min(rate[mode]):.1f}-{max(rate[mode]):.1f} "
            f"| {median / base:.0%} | {paired[mode]:.0%} | {per_k['cpu']:.1f} | {per_k['db_cpu']:.1f} "
            f"| {per_k['mirror_cpu']:.1f} "
            f"| {stored} | {min(loads):.1f}-{max(loads):.1f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-scrapy-bench", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aidaily-crawl-bench-"))
    server: MongoServerProcess | None = None
    try:
        per_spider = build_mirror(work / "pages", args.articles)
        reference = None if args.no_scrapy_bench else scrapy_bench()
        server = MongoServerProcess(work / "mongo").start()
        rows = []
        with MirrorProcess(work / "pages") as mirror:
            for round_ in range(args.rounds):
                for mode in MODES:
                    row = crawl(mode, mirror, work, server)
                    print(f"round {round_ + 1} {mode}: {row['items'] / row['seconds']:.1f} articles/s", flush=True)
                    rows.append(row)
        pages = rows[0]["bytes"] / rows[0]["responses"] / 1024
        print(f"\n{args.articles} articles per crawl ({per_spider}), {pages:.0f} KB per response on average\n")
        print("\n".join(summary(rows, args.articles)))
        if reference is not None:
            print(f"\nreference only: scrapy bench {reference:.0f} pages/s (generated pages, link extraction)")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
