"""Spiders that never start: a bad setting, a path under a file, a broken sources file — one line each, exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.store import Store
from tests.saved_pages import PROJECT_PAGES

AIDAILY = str(Path(sys.executable).with_name("aidaily"))
BAD_FEED = '[[feed]]\nid = 3\nurl = "https://example.com/feed.xml"\n'


def aidaily(store: Store, data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MONGO_", "AIDAILY_", "OPENAI_", "LLM_"))}
    uri = f"mongodb://{':'.join(map(str, store.client.address))}/?directConnection=true"
    env = clean | {"MONGO_DATABASE": store.db.name, "AIDAILY_DATA_DIR": str(data_dir)} | env
    return subprocess.run(
        [AIDAILY, "--mongo-uri", uri, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def the_log(data_dir: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted((data_dir / "logs").glob("aidaily-*.log")))


def test_a_setting_that_is_not_its_type_fails_the_spider_in_one_line(store: Store, data_dir: Path) -> None:
    done = aidaily(store, data_dir, "crawl", "-s", "CONCURRENT_REQUESTS=abc", "--mirror", str(PROJECT_PAGES), "ithome")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == (
        "FAILED ithome: did not start — setting CONCURRENT_REQUESTS: "
        "ValueError: invalid literal for int() with base 10: 'abc'"
    )
    assert "found 0" not in done.stdout
    assert done.stderr == ""  # no Twisted traceback, no CRITICAL line: the traceback is in the log file
    log = the_log(data_dir)
    assert "spider ithome did not start: setting CONCURRENT_REQUESTS" in log and "Traceback" in log
    run = store.runs.find_one({})
    assert run is not None and run["finish_reasons"]["ithome"].startswith("did not start: setting CONCURRENT_REQUESTS")


def test_a_jobdir_under_a_file_names_the_path(store: Store, data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    job = tmp_path / "afile" / "job"
    done = aidaily(store, data_dir, "crawl", "--jobdir", str(job), "--mirror", str(PROJECT_PAGES), "ithome", "qbitai")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"FAILED ithome, qbitai: did not start — NotADirectoryError: [Errno 20] Not a directory: '{job}'" in (
        done.stdout.splitlines()
    )
    assert done.stderr == ""


@pytest.mark.slow
def test_one_spider_that_cannot_start_leaves_the_others_crawling(store: Store, data_dir: Path, tmp_path: Path) -> None:
    feeds = tmp_path / "sources.toml"
    feeds.write_text(BAD_FEED, encoding="utf-8")
    # rss first: the spider that fails to be built must not take the others' reactor with it
    done = aidaily(
        store, data_dir, "crawl", "--mirror", str(PROJECT_PAGES), "rss", "ithome", AIDAILY_SOURCES_FILE=str(feeds)
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("ithome: found 5, new 5,")
    assert lines[1].startswith(f"FAILED rss: did not start — SourcesFileError: {feeds}: feed #1: id must be")
    assert done.stderr == ""


@pytest.mark.slow
def test_daily_flags_a_spider_that_did_not_start_with_its_cause(store: Store, data_dir: Path, tmp_path: Path) -> None:
    feeds = tmp_path / "sources.toml"
    feeds.write_text(BAD_FEED, encoding="utf-8")
    done = aidaily(
        store,
        data_dir,
        "daily",
        "--date",
        "2026-01-20",
        "--mirror",
        str(PROJECT_PAGES),
        "--no-llm",
        AIDAILY_SOURCES_FILE=str(feeds),
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "health: 1 flag(s)" in lines and "health: ok" not in done.stdout
    assert any(line.startswith("  ! rss: 爬虫异常结束（did not start: SourcesFileError: ") for line in lines), lines
    assert lines[-1] == "exit status 1"
