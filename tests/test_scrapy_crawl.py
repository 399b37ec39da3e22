"""``scrapy crawl NAME`` from the repository root, on the embedded default database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.mirror import MirrorServer
from crawler.store import Store
from tests.saved_pages import PROJECT_PAGES, saved_pages

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def test_scrapy_crawl_stores_into_the_embedded_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("MONGO_URI", "SCRAPY_SETTINGS_MODULE")}
    env["AIDAILY_DATA_DIR"] = str(tmp_path)
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=REPO, env=env, capture_output=True, text=True)
    assert "ithome" in listed.stdout.split()
    with MirrorServer(PROJECT_PAGES) as mirror:
        env["AIDAILY_MIRROR_URL"] = mirror.base_url
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "crawl",
                "ithome",
                "-s",
                "AUTOTHROTTLE_ENABLED=0",
                "-s",
                "DOWNLOAD_DELAY=0",
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    expected = {
        p.expected["article"]["url"]: p.expected["article"]
        for p in saved_pages(PROJECT_PAGES)
        if "article" in p.expected and p.expected["article"]["source"] == "ithome"
    }
    with Store.open(None, data_dir=tmp_path) as store:
        docs = {d["url"]: d for d in store.articles.find()}
        assert set(docs) == set(expected)
        for url, want in expected.items():
            assert docs[url]["body"] == want["body"]
        run = store.runs.find_one()
        assert run is not None and run["sources"]["ithome"]["stored"] == len(expected)
