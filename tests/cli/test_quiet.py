"""Quiet by default: results and a summary on screen, logs in the log file, -v/-vv to see them."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest

from aidaily.cli.crawl import summary_line
from crawler.dates import SHANGHAI
from crawler.embedded import EmbeddedMongo
from crawler.store import Store
from enrich.tokens import TokenizerKit
from reports.stats import ClusterSize, KeywordTrend, Period, Stats, stats_lines
from tests.research.conftest import make_clusters, make_docs, url_of
from tests.saved_pages import PROJECT_PAGES

AIDAILY = str(Path(sys.executable).with_name("aidaily"))


def aidaily(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([AIDAILY, *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


@pytest.fixture
def env(store: Store, tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_", "MONGO_", "AIDAILY_LOG"))}
    return clean | {"MONGO_DATABASE": store.db.name, "AIDAILY_DATA_DIR": str(tmp_path / "data")}


@pytest.mark.parametrize(
    "command",
    [
        ["search", "DeepSeek", "开源"],
        ["stats", "--since", "2026-01-10", "--until", "2026-01-20"],
        ["show", url_of("ds-ithome")],
        ["export", "--format", "csv"],
    ],
    ids=lambda c: c[0],
)
def test_a_successful_research_command_writes_nothing_on_stderr(
    store: Store, mongo_uri: str, env: dict[str, str], command: list[str]
) -> None:
    store.articles.insert_many(make_docs(TokenizerKit.build()))
    store.collection("clusters").insert_many(make_clusters(list(store.articles.find())))
    done = aidaily(env, "--mongo-uri", mongo_uri, *command)
    assert done.stdout.strip(), "a result"
    assert done.stderr == ""


@pytest.mark.slow
def test_a_crawl_prints_its_summary_and_logs_to_the_file(mongo_uri: str, env: dict[str, str], tmp_path: Path) -> None:
    args = ("--mongo-uri", mongo_uri, "crawl", "ithome", "--mirror", str(PROJECT_PAGES))
    quiet = aidaily(env, *args)
    assert quiet.stdout.splitlines() == ["ithome: found 5, new 5, updated 0, unchanged 0"]
    assert quiet.stderr == ""
    (log,) = (tmp_path / "data" / "logs").glob("aidaily-*.log")
    text = log.read_text(encoding="utf-8")
    assert "INFO scrapy.statscollectors: Dumping Scrapy stats" in text and "DEBUG" not in text
    verbose = aidaily(env, "-v", *args)
    assert "Dumping Scrapy stats" in verbose.stderr and "DEBUG" not in verbose.stderr
    debug = aidaily(env, "-vv", *args)
    assert "DEBUG scrapy.core.engine: Crawled (200)" in debug.stderr


def test_the_leaderboard_summary_counts_snapshots() -> None:
    stats = {
        "aidaily/leaderboard/snapshots": 29,
        "aidaily/leaderboard/inserted": 27,
        "aidaily/leaderboard/unchanged": 2,
    }
    assert summary_line("lmarena", stats) == (
        "lmarena: found 29 leaderboard snapshots, new 27, updated 0, unchanged 2, not stored 0"
    )
    assert summary_line("ithome", {"aidaily/articles/found": 3, "log_count/ERROR": 1}).endswith(", 1 errors logged")


def test_stats_columns_line_up_by_display_width() -> None:
    from rich.cells import cell_len

    day = datetime(2026, 1, 20, tzinfo=SHANGHAI)
    stats = Stats(
        period=Period(day.date(), day.date()),
        total=9,
        per_day=[("2026-01-20", 9)],
        per_source=[("36kr", "36氪", 4), ("aibase", "AIbase", 3), ("jiqizhixin", "机器之心", 2)],
        per_category=[("技术底座", 5), ("(none)", 4)],
        periods=(Period(day.date(), day.date()), Period(day.date(), day.date())),
        keywords=[KeywordTrend("大模型", 1, 3), KeywordTrend("openai", 0, 2)],
        clusters=[
            ClusterSize("c-1", 3, ["36kr"], "深度求索 / 开源", day, day),
            ClusterSize("c-22", 2, [], "gpu", day, day),
        ],
    )
    lines = stats_lines(stats)

    def column(rows: list[str], marker: str) -> set[int]:
        return {cell_len(row[: row.index(marker)]) for row in rows}

    sources = lines[lines.index("per source") + 1 : lines.index("per source") + 4]
    assert len(column(sources, "  (")) == 1, sources
    keywords = [ln for ln in lines if "->" in ln and "top keywords" not in ln]
    assert len(column(keywords, " ->")) == 1, keywords
    clusters = lines[lines.index("largest clusters") + 1 :]
    assert len(column(clusters, "2026-01-20..")) == 1, clusters


def test_stopping_the_embedded_database_ends_its_accept_thread(tmp_path: Path) -> None:
    """SecantusDB closes its listening socket on stop, which does not wake accept() on Linux: every command
    waited out a 2 s join. aidaily shuts the socket down first, so the thread has ended when stop returns."""
    with EmbeddedMongo(tmp_path / "db") as server, Store.open(server.uri) as store:
        store.ping()
    alive = [t for t in threading.enumerate() if t.name == "secantus-accept" and t.is_alive()]
    assert alive == []
