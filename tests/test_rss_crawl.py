"""End to end: ``aidaily crawl rss`` over the mirror with the test sources file, into the real test MongoDB."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crawler.dates import SHANGHAI
from crawler.store import Store
from tests.saved_pages import PROJECT_PAGES, REPO, saved_pages

AIDAILY = str(Path(sys.executable).with_name("aidaily"))
SOURCES = REPO / "tests" / "fixtures" / "sources.toml"
GENERIC = {
    p.expected["article"]["url"]: p
    for p in saved_pages(PROJECT_PAGES)
    if p.expected.get("parser") == "crawler.pages.generic:parse_article" and "article" in p.expected
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, mongo_server: Any) -> tuple[str, str, str]:
    db_name = "rss_crawl"
    env = {
        **os.environ,
        "MONGO_DATABASE": db_name,
        "AIDAILY_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "AIDAILY_SOURCES_FILE": str(SOURCES),
    }
    result = subprocess.run(
        [AIDAILY, "--mongo-uri", mongo_server.uri, "crawl", "rss", "--mirror", str(PROJECT_PAGES)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return mongo_server.uri, db_name, result.stderr


def test_every_enabled_feed_item_is_stored_with_its_feed_as_source(crawled: tuple[str, str, str]) -> None:
    uri, db_name, _ = crawled
    with Store.open(uri, db_name=db_name) as store:
        docs = {d["url"]: d for d in store.find_articles()}
    assert sorted(docs) == sorted(GENERIC)
    for url, page in GENERIC.items():
        want, doc = page.expected["article"], docs[url]
        assert doc["title"] == want["title"] and doc["body"] == want["body"]
        if want.get("published_at"):
            assert doc["published_at"].astimezone(SHANGHAI).isoformat() == want["published_at"]
    by_source = {d["source"]: d["source_name"] for d in docs.values()}
    assert by_source == {"ai-insight": "智见AI", "llmnotes": "大模型笔记"}
    # The Hexo page has no date of its own: the Atom entry's <published> stands in.
    qwen = docs["https://blog.llmnotes.cn/posts/qwen3-moe-on-4090/"]
    assert qwen["published_at"].isoformat() == "2026-01-18T20:30:00+08:00"


def test_the_run_records_health_figures_per_feed(crawled: tuple[str, str, str]) -> None:
    uri, db_name, _ = crawled
    with Store.open(uri, db_name=db_name) as store:
        [run] = list(store.runs.find())
    assert run["spiders"] == ["rss"] and run["finish_reasons"] == {"rss": "finished"}
    assert run["started_at"] <= run["finished_at"]
    insight, notes = run["sources"]["ai-insight"], run["sources"]["llmnotes"]
    assert (insight["found"], insight["stored"], insight["inserted"], insight["skipped"]) == (2, 2, 2, 0)
    assert (notes["found"], notes["stored"], notes["dropped"]) == (1, 1, 0)
    assert insight["coverage"] == {"title": 1.0, "body": 1.0, "published_at": 1.0}
    assert run["stats"]["rss"]["item_scraped_count"] == 3
    # Two feeds, three pages; a request to the disabled feed's host would add a third robots.txt fetch.
    assert run["stats"]["rss"]["downloader/request_count"] == 7
    assert run["stats"]["rss"]["robotstxt/request_count"] == 2
