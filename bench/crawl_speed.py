"""Crawl throughput: articles per second through the full pipeline into MongoDB, beside ``scrapy bench``.

Run from the repository root: ``.venv/bin/python -m bench.crawl_speed [--articles 2000]``.
Needs Debian's ``redis-server`` for the distributed rows.

The mirror is a synthetic IT之家 site (``tests.synthetic_mirror``: the feed and the real article
markup, N articles) served from this process; the throttle is off. Each row times from the
first request the mirror sees to the moment the last article is written (polled in MongoDB), so
process start-up (imports, engine set-up) is left out, as ``scrapy bench``'s per-minute rate
leaves it out. ``scrapy bench`` runs in a temporary folder, outside the project's settings.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import redis
from pymongo import MongoClient

from crawler.mirror import MirrorServer
from tests.servers import MongoServerProcess, RedisServerProcess
from tests.synthetic_mirror import build_ithome_mirror

BIN = Path(sys.executable).parent
FAST = [
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "ROBOTSTXT_OBEY=False",
    "-s",
    "CONCURRENT_REQUESTS=16",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s",
    "LOG_LEVEL=WARNING",
]


@dataclass
class Row:
    name: str
    articles: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def scrapy_bench() -> float:
    """Pages per second of ``scrapy bench`` on this machine: the median of its per-minute rates."""
    with tempfile.TemporaryDirectory() as cwd:
        env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
        out = subprocess.run(
            [str(BIN / "scrapy"), "bench"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
        )
    rates = [int(m) for m in re.findall(r"\(at (\d+) pages/min\)", out.stderr) if int(m) > 0]
    if not rates:
        raise RuntimeError("scrapy bench printed no rate:\n" + out.stderr[-2000:])
    return statistics.median(rates) / 60


def wait_stored(
    client: MongoClient, db: str, count: int, mirror: MirrorServer, procs: list[subprocess.Popen[bytes]]
) -> float:
    """Seconds from the mirror's first request until ``count`` articles are stored."""
    while not mirror.requests:
        if all(p.poll() is not None for p in procs):
            raise RuntimeError("the crawl ended before its first request")
        time.sleep(0.01)
    started = time.monotonic()
    while client[db]["articles"].estimated_document_count() < count:
        if all(p.poll() is not None for p in procs):
            raise RuntimeError(f"the crawl ended with {client[db]['articles'].count_documents({})} of {count} stored")
        time.sleep(0.05)
    return time.monotonic() - started


def env_for(db: str, data_dir: Path) -> dict[str, str]:
    return {**os.environ, "MONGO_DATABASE": db, "AIDAILY_DATA_DIR": str(data_dir)}


def one_process_embedded(pages: Path, count: int, work: Path) -> Row:
    """The default: no MONGO_URI, the crawl process serves the embedded SecantusDB itself."""
    data = work / "embedded"
    with MirrorServer(pages) as mirror:
        args = [
            str(BIN / "aidaily"),
            "--data-dir",
            str(data),
            "crawl",
            "ithome",
            "-s",
            f"MIRROR_URL={mirror.base_url}",
            *FAST,
            "-s",
            "LOG_LEVEL=INFO",
        ]
        out = subprocess.run(args, env=env_for("aidaily", data), capture_output=True, text=True, timeout=600)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    # The database lives inside the crawl process, so time the spider itself from its stats.
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", out.stderr).group(1))  # type: ignore[union-attr]
    stored = int(re.search(r"new (\d+)", out.stdout).group(1))  # type: ignore[union-attr]
    return Row("1 process, embedded SecantusDB in the crawl process (spider open→close)", stored, elapsed)


def one_process(pages: Path, count: int, uri: str, client: MongoClient, work: Path) -> Row:
    db = f"bench_{uuid.uuid4().hex[:8]}"
    with MirrorServer(pages) as mirror:
        args = [
            str(BIN / "aidaily"),
            "--mongo-uri",
            uri,
            "crawl",
            "ithome",
            "-s",
            f"MIRROR_URL={mirror.base_url}",
            *FAST,
        ]
        proc = subprocess.Popen(args, env=env_for(db, work / db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = wait_stored(client, db, count, mirror, [proc])
        proc.wait(120)
    client.drop_database(db)
    return Row("1 process, SecantusDB server process", count, seconds)


def distributed(
    pages: Path, count: int, uri: str, client: MongoClient, redis_url: str, workers: int, work: Path
) -> Row:
    db = f"bench_{uuid.uuid4().hex[:8]}"
    server = redis.Redis.from_url(redis_url)
    server.flushall()
    with MirrorServer(pages) as mirror:
        common = [
            str(BIN / "aidaily"),
            "--mongo-uri",
            uri,
            "crawl",
            "ithome",
            "--distributed",
            "-s",
            f"REDIS_URL={redis_url}",
            "-s",
            f"MIRROR_URL={mirror.base_url}",
            *FAST,
            "-s",
            "MAX_IDLE_TIME_BEFORE_CLOSE=20",
        ]
        procs = [
            subprocess.Popen(
                common, env=env_for(db, work / f"{db}-{i}"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            for i in range(workers)
        ]
        # Workers up and waiting on the empty queue before the seed: start-up is not timed.
        deadline = time.monotonic() + 120
        while len(list(server.scan_iter("ithome:requests:worker:*"))) < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError("workers did not start")
            time.sleep(0.05)
        subprocess.run([*common, "--seed"], env=env_for(db, work / f"{db}-seed"), check=True, capture_output=True)
        seconds = wait_stored(client, db, count, mirror, procs)
        for proc in procs:
            proc.wait(120)
    client.drop_database(db)
    return Row(f"{workers} scrapy-redis worker{'s' if workers > 1 else ''}, SecantusDB server process", count, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aidaily-crawl-bench-"))
    mongo: MongoServerProcess | None = None
    redis_server: RedisServerProcess | None = None
    try:
        pages = work / "pages"
        build_ithome_mirror(pages, args.articles)
        bench_rate = scrapy_bench()
        rows = [one_process_embedded(pages, args.articles, work)]
        mongo = MongoServerProcess(work / "mongo").start()
        client: MongoClient = MongoClient(mongo.uri)
        rows.append(one_process(pages, args.articles, mongo.uri, client, work))
        if shutil.which("redis-server"):
            redis_server = RedisServerProcess(work).start()
            for workers in (1, 2):
                rows.append(distributed(pages, args.articles, mongo.uri, client, redis_server.url, workers, work))
        print(f"scrapy bench: {bench_rate:.0f} pages/s ({os.cpu_count()} CPUs)\n")
        print("| run | articles | seconds | articles/s | vs scrapy bench |")
        print("|---|---|---|---|---|")
        print(f"| scrapy bench (pages, no pipeline) | | | {bench_rate:.0f} | 100% |")
        for row in rows:
            print(f"| {row.name} | {row.articles} | {row.seconds:.1f} | {row.rate:.0f} | {row.rate / bench_rate:.0%} |")
    finally:
        if redis_server is not None:
            redis_server.stop()
        if mongo is not None:
            mongo.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
