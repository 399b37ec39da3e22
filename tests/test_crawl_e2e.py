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
from crawler.mirror import mirror_path
from tests.gates import GatedMirror
from tests.saved_pages import PROJECT_PAGES, SavedPage, saved_pages
from tests.servers import MongoServerProcess

AIDAILY = str(Path(sys.executable).with_name("aidaily"))
RELATIVE = re.compile(r"前|刚刚|昨天|今天")
# Pages of user feeds (generic extractor) are crawled only with a sources file: tests/test_rss_crawl.py.
EXPECTED = [
    p
    for p in saved_pages(PROJECT_PAGES)
    if "article" in p.expected and not p.expected["parser"].startswith("crawler.pages.generic:")
]

pytestmark = pytest.mark.slow


def crawl(
    mongo_uri: str, db_name: str, data_dir: Path, *args: str, check: bool = True, **popen: Any
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MONGO_DATABASE": db_name, "AIDAILY_DATA_DIR": str(data_dir), "MONGO_TIMEOUT_MS": "1500"}
    return subprocess.run(
        [AIDAILY, "--mongo-uri", mongo_uri, "crawl", "--mirror", str(PROJECT_PAGES), *args],
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
    if want.get("published_at") and not RELATIVE.search(doc.get("published_raw") or ""):
        assert doc["published_at"].isoformat() == want["published_at"], page.url


@pytest.fixture(scope="module")
def first_crawl(
    tmp_path_factory: pytest.TempPathFactory, mongo_server: MongoServerProcess
) -> tuple[str, str, Path, str]:
    db_name = "e2e_crawl"
    data_dir = tmp_path_factory.mktemp("data")
    result = crawl(mongo_server.uri, db_name, data_dir)
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


def test_a_second_crawl_changes_nothing(first_crawl: tuple[str, str, Path, str]) -> None:
    uri, db_name, data_dir, _ = first_crawl
    before = stored(uri, db_name)
    result = crawl(uri, db_name, data_dir)
    assert stored(uri, db_name) == before
    for line in result.stdout.splitlines():
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
    new_in_crawl = sum(int(n) for n in re.findall(r" new (\d+)", out))
    assert spooled > 0, out
    assert "unkept 0" in out and not re.search(r"unkept [1-9]", out), out

    server.start()
    assert len(stored(server.uri, db_name)) == new_in_crawl  # the crawl's counts are what the database holds
    replay = subprocess.run(
        [AIDAILY, "--mongo-uri", server.uri, "replay"], env=env, capture_output=True, text=True, check=True
    )
    assert f"replayed {spooled}" in replay.stdout
    new_in_replay = int(re.search(r"new (\d+)", replay.stdout).group(1))  # type: ignore[union-attr]
    docs = stored(server.uri, db_name)
    for page in EXPECTED:
        assert page.expected["article"]["url"] in docs
    assert len(docs) == new_in_crawl + new_in_replay  # each article counted new exactly once
    server.stop()
