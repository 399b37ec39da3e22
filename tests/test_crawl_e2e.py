"""End to end: ``aidaily crawl --mirror`` with the real Scrapy engine into a real MongoDB-wire server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from crawler.dates import SHANGHAI
from crawler.mirror import META_SUFFIX, MirrorServer, mirror_path, resolve
from crawler.reachability import fetch_figures
from crawler.spiders.aiera import DEFAULT_FEED_URL
from tests.broken_mirror import copy_mirror, lose_page, serve_instead
from tests.gates import GatedMirror
from tests.saved_pages import PROJECT_PAGES, REPO, SavedPage, saved_pages
from tests.servers import MongoServerProcess
from tests.summary_lines import assert_every_line_adds_up

AIDAILY = str(Path(sys.executable).with_name("aidaily"))
# Pages of user feeds (generic extractor) are crawled only with a sources file: tests/test_rss_crawl.py.
EXPECTED = [
    p
    for p in saved_pages(PROJECT_PAGES)
    if "article" in p.expected and not p.expected["parser"].startswith("crawler.pages.generic:")
]
# The only requests the demo mirror answers with an error, on purpose (tests/fixtures/README.md, "The demo
# mirror"): 机器之心's article API has no record of these two articles, so the spider reads their pages instead.
DELIBERATE_MISSES = {
    "www.jiqizhixin.com/api/article_library/articles/2026-01-20.json",
    "www.jiqizhixin.com/api/article_library/articles/2026-01-19-7.json",
}
HAND_BUILT_DATE = "Tue, 20 Jan 2026 07:00:00 GMT"

pytestmark = pytest.mark.slow


def crawl(
    mongo_uri: str,
    db_name: str,
    data_dir: Path,
    *args: str,
    mirror: Path | MirrorServer = PROJECT_PAGES,
    check: bool = True,
    **popen: Any,
) -> subprocess.CompletedProcess[str]:
    """``aidaily crawl`` on a mirror folder (served by the CLI) or on a mirror server the test runs itself."""
    env = {**os.environ, "MONGO_DATABASE": db_name, "AIDAILY_DATA_DIR": str(data_dir), "MONGO_TIMEOUT_MS": "1500"}
    if isinstance(mirror, MirrorServer):  # as --mirror does, minus the server: the test reads what it answered
        env["AIDAILY_MIRROR_URL"] = mirror.base_url
        served = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0"]
    else:
        served = ["--mirror", str(mirror)]
    return subprocess.run(
        [AIDAILY, "--mongo-uri", mongo_uri, "crawl", *served, *args],
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=600,
        **popen,
    )


def stored(mongo_uri: str, db_name: str) -> dict[str, dict[str, Any]]:
    with MongoClient(mongo_uri, tz_aware=True, tzinfo=SHANGHAI) as client:
        return {d["url"]: d for d in client[db_name].articles.find()}


def assert_matches(page: SavedPage, doc: dict[str, Any]) -> None:
    want = page.expected["article"]
    for key in ("title", "body", "source", "kind", "author"):
        if key in want:
            assert doc[key] == want[key], f"{page.url}: {key}"
    assert doc["published_at"] is not None
    # relative dates (3小时前, 昨天 18:05) too: they count from the saved page's Date, not from today
    if want.get("published_at"):
        assert doc["published_at"].isoformat() == want["published_at"], page.url
    assert doc["extractor"] == page.expected["parser"].split(":")[0].rsplit(".", 1)[-1], page.url


@pytest.fixture(scope="module")
def served() -> list[tuple[str, int]]:
    """What the demo mirror answered during ``first_crawl``: ``(file name, status)`` of every request."""
    return []


@pytest.fixture(scope="module")
def first_crawl(
    tmp_path_factory: pytest.TempPathFactory, mongo_server: MongoServerProcess, served: list[tuple[str, int]]
) -> tuple[str, str, Path, str]:
    db_name = "e2e_crawl"
    data_dir = tmp_path_factory.mktemp("data")
    with MirrorServer(PROJECT_PAGES) as mirror:
        result = crawl(mongo_server.uri, db_name, data_dir, mirror=mirror)
        served.extend(mirror.answers)
    return mongo_server.uri, db_name, data_dir, result.stdout


def test_every_fixture_article_is_stored_as_expected(first_crawl: tuple[str, str, Path, str]) -> None:
    uri, db_name, _, _ = first_crawl
    docs = stored(uri, db_name)
    assert len(EXPECTED) >= 20
    missing = [p.expected["article"]["url"] for p in EXPECTED if p.expected["article"]["url"] not in docs]
    assert not missing, f"not stored: {missing}"
    for page in EXPECTED:
        assert_matches(page, docs[page.expected["article"]["url"]])


def test_leaderboard_snapshots_are_stored(first_crawl: tuple[str, str, Path, str]) -> None:
    uri, db_name, _, _ = first_crawl
    history = json.loads(
        (PROJECT_PAGES / "raw.githubusercontent.com/nakasyou/lmarena-history/main/output/scores.json").read_text()
    )
    with MongoClient(uri) as client:
        dates = sorted(d["date"] for d in client[db_name].leaderboard.find({"category": "text/overall"}))
    assert dates == sorted(f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in history)


def test_no_verification_or_deleted_page_is_stored(first_crawl: tuple[str, str, Path, str]) -> None:
    uri, db_name, _, _ = first_crawl
    docs = stored(uri, db_name)
    rejected = [p for p in saved_pages(PROJECT_PAGES) if "error" in p.expected]
    assert rejected, "fixtures must include pages that are not articles"
    for page in rejected:
        assert page.url not in docs
    assert not [u for u, d in docs.items() if "完成验证后即可继续访问" in d["body"]]


def test_the_demo_crawl_counts_no_failed_request(first_crawl: tuple[str, str, Path, str]) -> None:
    uri, db_name, _, stdout = first_crawl
    assert not [line for line in stdout.splitlines() if "requests failed" in line or "FAILED" in line], stdout
    with MongoClient(uri) as client:
        [run] = list(client[db_name].crawl_runs.find())
    for spider, stats in run["stats"].items():
        for source, fetch in fetch_figures(stats).items():
            assert fetch.requests > 0 and fetch.failed == {}, f"{spider} ({source}): {fetch.summary()}"


def test_the_demo_mirror_answers_every_request_but_the_documented_misses(
    first_crawl: tuple[str, str, Path, str], served: list[tuple[str, int]]
) -> None:
    # robots.txt is no page of a source: a mirror without one lets every crawler in, as a site does
    misses = {name for name, status in served if status >= 400 and not name.endswith("/robots.txt")}
    assert misses == DELIBERATE_MISSES
    readme = (REPO / "tests" / "fixtures" / "README.md").read_text(encoding="utf-8")
    for name in DELIBERATE_MISSES:
        assert f"`{name}`" in readme, f"tests/fixtures/README.md does not list {name}"


def test_every_start_url_answers_with_a_hand_built_page_of_the_day(
    first_crawl: tuple[str, str, Path, str], served: list[tuple[str, int]]
) -> None:
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    starts = {url for name in loader.list() for url in getattr(loader.load(name), "start_urls", [])}
    starts.add(DEFAULT_FEED_URL)  # the aiera spider's feed is a setting; the rss spider's, the user's sources
    assert len(starts) >= 11
    answered = dict(served)
    for url in sorted(starts):
        name = mirror_path(url)
        assert answered.get(name) == 200, f"{url}: {answered.get(name, 'never requested')}"
        page = resolve(PROJECT_PAGES, name)
        assert page is not None
        meta = json.loads(page.with_name(page.name + META_SUFFIX).read_text(encoding="utf-8"))
        assert meta["headers"]["Date"] == HAND_BUILT_DATE, url


def test_pages_the_site_lost_are_counted_under_their_source_and_nothing_else_is_lost(
    tmp_path: Path, mongo_server: MongoServerProcess
) -> None:
    # Each list still links an article the site no longer has; AIbase answers one with its not-found page (404).
    lost = {
        "qbitai": "https://www.qbitai.com/2026/01/391150.html",
        "36kr": "https://36kr.com/p/3648003317482118",  # linked by the feed and the AI channel: one request
        "36kr_newsflash": "https://36kr.com/newsflashes/3648010974683140",
        "oschina": "https://www.oschina.net/news/391240/pytorch-2-10-released",
        "jiqizhixin": "https://www.jiqizhixin.com/articles/2026-01-19-7",  # no API record either: 2 requests
        "aibase": "https://www.aibase.com/zh/news/24663",
    }
    mirror = copy_mirror(tmp_path / "mirror")
    for spider, url in lost.items():
        if spider == "aibase":
            serve_instead(mirror, url, "https://www.aibase.com/zh/news/24640")
        else:
            lose_page(mirror, url)
    db_name = "e2e_lost_pages"
    result = crawl(mongo_server.uri, db_name, tmp_path / "data", *lost, mirror=mirror, check=False)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    failed = re.findall(r"^  (.+ \(\S+\)): (\d+) of (\d+) requests failed \((.+)\)$", result.stdout, re.M)
    assert sorted((label, n, why) for label, n, _, why in failed) == [
        ("36氪 (36kr)", "1", "HTTP 404"),  # the 36kr spider's
        ("36氪 (36kr)", "1", "HTTP 404"),  # the 36kr_newsflash spider's
        ("AIbase (aibase)", "1", "HTTP 404"),
        ("开源中国 (oschina)", "1", "HTTP 404"),
        ("机器之心 (jiqizhixin)", "1", "HTTP 404"),
        ("量子位 (qbitai)", "1", "HTTP 404"),
    ]
    assert "FAILED" not in result.stdout
    # each lost page is one link dropped for its HTTP status, in the line of the spider that found it
    lines = assert_every_line_adds_up(result.stdout)
    assert sorted(lines) == sorted(lost)
    drops = dict(re.findall(r"^(\S+): found .*, dropped \d+ \(([^)]*)\)", result.stdout, re.M))
    assert drops == {spider: "http_404 1" for spider in lost} | {"36kr": "deleted 1, http_404 1"}
    docs = stored(mongo_server.uri, db_name)
    assert not set(lost.values()) & set(docs)
    sources = {"qbitai", "36kr", "oschina", "jiqizhixin", "aibase"}
    kept = [p for p in EXPECTED if p.expected["article"]["source"] in sources and p.url not in lost.values()]
    assert len(kept) >= 15
    for page in kept:
        assert_matches(page, docs[page.expected["article"]["url"]])


def test_every_spider_line_of_the_demo_crawl_adds_up(first_crawl: tuple[str, str, Path, str]) -> None:
    uri, db_name, _, stdout = first_crawl
    lines = assert_every_line_adds_up(stdout)
    assert len(lines) >= 9
    # the two lists of 机器之心 (the API and the feed) name the same 4 articles: found once each
    assert "jiqizhixin: found 4, new 4, updated 0, unchanged 0; api_fallback 2" in stdout.splitlines()
    # the deleted 36Kr page reads as in ``aidaily daily``: a dropped link with its reason
    assert re.search(r"^36kr: found 6, .*, dropped 1 \(deleted 1\)$", stdout, re.M), stdout
    new = sum(counts["new"] for counts in lines.values())
    assert new == len(stored(uri, db_name))


def test_a_second_crawl_changes_nothing(first_crawl: tuple[str, str, Path, str]) -> None:
    uri, db_name, data_dir, _ = first_crawl
    before = stored(uri, db_name)
    result = crawl(uri, db_name, data_dir)
    assert stored(uri, db_name) == before
    assert_every_line_adds_up(result.stdout)
    spider_lines = [line for line in result.stdout.splitlines() if not line.startswith("  ")]  # not the notes
    assert len(spider_lines) >= 9
    for line in spider_lines:
        assert " new 0, updated 0," in line, line


def test_killing_the_database_mid_crawl_loses_nothing(tmp_path: Path) -> None:
    server = MongoServerProcess(tmp_path / "mongo").start()
    data_dir = tmp_path / "data"
    db_name = "killed"
    env = {**os.environ, "MONGO_DATABASE": db_name, "AIDAILY_DATA_DIR": str(data_dir), "MONGO_TIMEOUT_MS": "1000"}
    articles = {mirror_path(p.url) for p in EXPECTED}
    # Four article pages go through and are stored; the rest wait at the gate until the database is dead,
    # so no write is in flight when it dies.
    with GatedMirror(PROJECT_PAGES, gated=articles.__contains__, allow=4) as mirror:
        # Output to files, not pipes: a full pipe would stall the crawl while the test waits on it.
        proc = subprocess.Popen(
            [
                AIDAILY,
                "--mongo-uri",
                server.uri,
                "crawl",
                "-s",
                f"MIRROR_URL={mirror.base_url}",
                "-s",
                "AUTOTHROTTLE_ENABLED=False",
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "STORE_BATCH_SIZE=1",
            ],
            env=env,
            stdout=(tmp_path / "out").open("w"),
            stderr=(tmp_path / "err").open("w"),
        )
        mirror.wait_held(1)
        deadline = time.monotonic() + 120
        with MongoClient(server.uri, serverSelectionTimeoutMS=1000) as client:
            while client[db_name].articles.count_documents({}) < 4:  # the writer thread has stored them
                assert time.monotonic() < deadline and proc.poll() is None, "the crawl stored nothing"
                time.sleep(0.05)  # polling the database for the state we wait on
        server.kill()
        mirror.release()
        proc.wait(600)
    out, err = (tmp_path / "out").read_text(), (tmp_path / "err").read_text()
    assert proc.returncode == 0, err[-3000:]
    spooled = sum(int(n) for n in re.findall(r"spooled (\d+)", out))
    article_lines = "\n".join(line for line in out.splitlines() if "leaderboard snapshots" not in line)
    new_in_crawl = sum(int(n) for n in re.findall(r" new (\d+)", article_lines))
    assert spooled > 0, out
    assert "unkept" not in out, out  # a counter that is 0 is not shown
    assert_every_line_adds_up(out)  # the links the crawl found: stored, spooled or dropped, none lost

    server.start()
    assert len(stored(server.uri, db_name)) == new_in_crawl  # the crawl's counts are what the database holds
    replay = subprocess.run(
        [AIDAILY, "--mongo-uri", server.uri, "replay"], env=env, capture_output=True, text=True, check=True
    )
    assert f"replayed {spooled} spool lines: " in replay.stdout
    new_in_replay = int(re.search(r"new (\d+)", replay.stdout).group(1))  # type: ignore[union-attr]
    docs = stored(server.uri, db_name)
    for page in EXPECTED:
        assert page.expected["article"]["url"] in docs
    assert len(docs) == new_in_crawl + new_in_replay  # each article counted new exactly once
    server.stop()
