"""How fast the CLI answers: wall time of whole ``aidaily`` processes beside ``python -c pass``.

Each round runs every command once, in the same order, so load changes hit all rows alike
(interleaved); the table shows the median and the slowest of the rounds. Two rows need the
database: ``stats`` on a one-article embedded archive (start, query, stop), and the embedded
SecantusDB server alone, started and stopped in this process.

    .venv/bin/python -m bench.cli_latency [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

AIDAILY = str(Path(sys.executable).with_name("aidaily"))


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def process(args: Sequence[str], env: dict[str, str]) -> Callable[[], object]:
    return lambda: subprocess.run(list(args), env=env, capture_output=True, check=False)


def seed(data_dir: Path) -> None:
    """A one-article embedded archive, so ``stats`` has something to count."""
    from crawler.dates import SHANGHAI
    from crawler.store import Store

    with Store.open(None, data_dir=data_dir) as store:
        store.ensure_indexes()
        store.articles.insert_one(
            {
                "_id": "a1",
                "url": "https://x.cn/1",
                "source": "qbitai",
                "published_at": datetime(2026, 1, 20, tzinfo=SHANGHAI),
            }
        )


def embedded_start_stop(data_dir: Path) -> tuple[float, float]:
    from crawler.embedded import EmbeddedMongo

    server = EmbeddedMongo(data_dir / "db")
    started = timed(server.start)
    stopped = timed(server.stop)
    return started, stopped


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    data = Path(tempfile.mkdtemp(prefix="aidaily-latency-"))
    seed(data)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGO_", "OPENAI_", "LLM_"))}
    env["AIDAILY_DATA_DIR"] = str(data)
    rows: dict[str, Callable[[], object]] = {
        "python -c pass": process([sys.executable, "-c", "pass"], env),
        "aidaily --help": process([AIDAILY, "--help"], env),
        "aidaily report --help": process([AIDAILY, "report", "--help"], env),
        "aidaily crawl --help": process([AIDAILY, "crawl", "--help"], env),
        "aidaily search --bogus (usage error)": process([AIDAILY, "search", "--bogus"], env),
        "aidaily report (missing --date)": process([AIDAILY, "report"], env),
        "aidaily crawl nosuch (unknown spider)": process([AIDAILY, "crawl", "nosuch"], env),
        "aidaily crawl -s FOO (not NAME=VALUE)": process([AIDAILY, "crawl", "-s", "FOO"], env),
        "aidaily doctor nosuch (unknown spider)": process([AIDAILY, "doctor", "nosuch"], env),
        "aidaily search (no words)": process([AIDAILY, "search"], env),
        "aidaily search 的 (no searchable word)": process([AIDAILY, "search", "的"], env),
        "aidaily stats (embedded db: start, query, stop)": process([AIDAILY, "stats"], env),
    }
    times: dict[str, list[float]] = {name: [] for name in rows}
    starts: list[float] = []
    stops: list[float] = []
    for _ in range(args.rounds):
        for name, run in rows.items():
            times[name].append(timed(run))
        started, stopped = embedded_start_stop(data)
        starts.append(started)
        stops.append(stopped)
    base = statistics.median(times["python -c pass"])
    load = os.getloadavg()
    print(
        f"{args.rounds} rounds, interleaved; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"{os.cpu_count()} CPUs"
    )
    print()
    print("| command | median s | slowest s | median − python -c pass |")
    print("|---|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| `{name}` | {median:.3f} | {max(values):.3f} | {median - base:+.3f} |")
    print(f"| embedded SecantusDB start (in process) | {statistics.median(starts):.3f} | {max(starts):.3f} | |")
    print(f"| embedded SecantusDB stop (in process) | {statistics.median(stops):.3f} | {max(stops):.3f} | |")


if __name__ == "__main__":
    main()
