"""Scale-out measured for what it is: articles per CPU-second of the workers, the servers' CPU counted apart.

    .venv/bin/python -m bench.crawl_scale                          # 1,500 articles; 1, 2, 3 workers; 2 rounds
    .venv/bin/python -m bench.crawl_scale --articles 600 --rounds 1

The same mirror of real pages as ``bench.crawl_speed`` (its own process), one ``secantusd-py`` database
process and one Debian ``redis-server``; k ``aidaily crawl --distributed`` workers (k = 1, 2, 3, interleaved
per round) share the queue. The clock starts at the first request a worker pops (start-up is not counted)
and stops when the last article is in MongoDB. CPU seconds over that span are read from /proc for every
process: the workers (summed), the database, Redis and the mirror. On this 2-core machine the servers and
the workers share two cores with other people's work, so wall-clock speed-up says little about scale-out;
what does is the CPU a worker spends per article, and whether it grows with more workers:
- ``articles / worker CPU s``: a worker's efficiency; with k workers on k free cores the crawl would run
  at about k times that (``k-core projection``), if the servers keep up;
- the servers' CPU per 1,000 articles, and Redis's own time per command (``INFO commandstats``), give where
  one Redis and one database saturate (docs/DEPLOY.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import redis
from pymongo import MongoClient

from bench.crawl_mirror import SPIDERS, build_mirror
from bench.crawl_run import FAST
from bench.mirror_process import MirrorProcess
from bench.procstat import cpu_seconds
from tests.servers import MongoServerProcess, RedisServerProcess

WORKERS = (1, 2, 3)


def _cpu(pids: list[int]) -> float:
    return sum(cpu_seconds(p) for p in pids)


def run(k: int, articles: int, mirror: MirrorProcess, mongo: MongoServerProcess, rds: RedisServerProcess) -> dict:
    """One distributed crawl with ``k`` workers: wall seconds and every process's CPU over the crawl."""
    db = f"bench_{uuid.uuid4().hex[:8]}"
    server = redis.Redis.from_url(rds.url)
    server.flushall()
    server.config_resetstat()
    overrides = [f"{key}={value}" for key, value in FAST.items()]
    overrides += [f"MIRROR_URL={mirror.base_url}", f"REDIS_URL={rds.url}", "MAX_IDLE_TIME_BEFORE_CLOSE=20"]
    base = [str(Path(sys.executable).parent / "aidaily"), "--mongo-uri", mongo.uri, "crawl", *SPIDERS, "--distributed"]
    base += [arg for o in overrides for arg in ("-s", o)]
    work = Path(tempfile.mkdtemp(prefix="aidaily-scale-"))
    env = {**os.environ, "MONGO_DATABASE": db, "AIDAILY_DATA_DIR": str(work)}
    workers = [subprocess.Popen(base, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(k)]
    try:
        deadline = time.monotonic() + 180
        while len(list(server.scan_iter(f"{SPIDERS[0]}:requests:worker:*"))) < k:
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise RuntimeError("workers did not start")
            time.sleep(0.05)
        seed = subprocess.Popen([*base, "--seed"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        servers = {"database": mongo.proc.pid, "redis": rds.proc.pid, "mirror": mirror.pid}  # type: ignore[union-attr]
        entries = [f"{s}:requests:entries" for s in SPIDERS]
        while not server.exists(*entries):  # the first request popped: the clock starts
            if seed.poll() not in (None, 0) or any(w.poll() is not None for w in workers):
                raise RuntimeError("the seed run failed, or a worker ended before the first request")
            time.sleep(0.005)
        started = time.monotonic()
        before = {"workers": _cpu([w.pid for w in workers])} | {n: cpu_seconds(p) for n, p in servers.items()}
        with MongoClient(mongo.uri) as client:
            while client[db]["articles"].count_documents({}) < articles:
                if all(w.poll() is not None for w in workers):
                    raise RuntimeError("the workers ended before every article was stored")
                time.sleep(0.25)
            seconds = time.monotonic() - started
            after = {"workers": _cpu([w.pid for w in workers])} | {n: cpu_seconds(p) for n, p in servers.items()}
            stats = server.info("commandstats")
            for w in workers:
                w.wait(120)
            seed.wait(60)
            client.drop_database(db)
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
        shutil.rmtree(work, ignore_errors=True)
    calls = sum(int(v["calls"]) for v in stats.values())
    usec = sum(float(v["usec"]) for v in stats.values())
    cpu = {name: after[name] - before[name] for name in after}
    return {"workers": k, "seconds": seconds, "articles": articles, "cpu": cpu, "redis_calls": calls,
            "redis_usec": usec, "load": os.getloadavg()[0]}  # fmt: skip


def table(rows: list[dict[str, Any]]) -> list[str]:
    def med(k: int, f: Any) -> float:
        return statistics.median(f(r) for r in rows if r["workers"] == k)

    def eff(r: dict[str, Any]) -> float:
        return r["articles"] / r["cpu"]["workers"]

    one = med(1, eff)
    lines = [
        "| workers | runs | articles/s (median, min-max) | worker CPU s | worker use of its core "
        "| articles / worker CPU s | k-core projection vs 1 | database CPU s /1k | Redis CPU s /1k "
        "| Redis µs/command | mirror CPU s /1k | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for k in WORKERS:
        mine = [r for r in rows if r["workers"] == k]
        rates = [r["articles"] / r["seconds"] for r in mine]
        per_k = {n: med(k, lambda r, n=n: 1000 * r["cpu"][n] / r["articles"]) for n in ("database", "redis", "mirror")}
        use = med(k, lambda r: r["cpu"]["workers"] / (r["workers"] * r["seconds"]))
        lines.append(
            f"| {k} | {len(mine)} | {statistics.median(rates):.1f} ({min(rates):.1f}-{max(rates):.1f}) "
            f"| {med(k, lambda r: r['cpu']['workers']):.1f} | {use:.0%} | {med(k, eff):.1f} "
            f"| {k * med(k, eff) / one:.2f}x | {per_k['database']:.1f} | {per_k['redis']:.2f} "
            f"| {med(k, lambda r: r['redis_usec'] / max(r['redis_calls'], 1)):.1f} | {per_k['mirror']:.1f} "
            f"| {min(r['load'] for r in mine):.1f}-{max(r['load'] for r in mine):.1f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aidaily-scale-bench-"))
    mongo = rds = None
    try:
        build_mirror(work / "pages", args.articles)
        mongo = MongoServerProcess(work / "mongo").start()
        rds = RedisServerProcess(work).start()
        rows = []
        with MirrorProcess(work / "pages") as mirror:
            for round_ in range(args.rounds):
                for k in WORKERS:
                    row = run(k, args.articles, mirror, mongo, rds)
                    print(f"round {round_ + 1}, {k} workers: {args.articles / row['seconds']:.1f} articles/s, "
                          f"worker CPU {row['cpu']['workers']:.1f}s", flush=True)  # fmt: skip
                    rows.append(row)
        requests = "each article one request (plus one feed per spider)"
        print(f"\n{args.articles} articles per crawl, {len(SPIDERS)} spiders, {requests}\n")
        print("\n".join(table(rows)))
    finally:
        if rds is not None:
            rds.stop()
        if mongo is not None:
            mongo.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
