"""Incremental crawls: stored articles are not fetched again; recent ones are asked for conditionally."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.dates import SHANGHAI
from crawler.incremental import IncrementalMiddleware, is_article_request
from crawler.mirror import MirrorServer
from crawler.normalize import article_id
from crawler.spiders.ithome import IthomeSpider
from crawler.store import Store
from tests.synthetic_mirror import build_ithome_mirror

AIDAILY = str(Path(sys.executable).parent / "aidaily")
NOW = datetime(2026, 1, 20, 15, 0, tzinfo=SHANGHAI)
PROJECT = {name: value for name, value in vars(project_settings).items() if name.isupper()}


def middleware(store: Store, **settings: object) -> IncrementalMiddleware:
    crawler = get_crawler(
        IthomeSpider, {**PROJECT, "INCREMENTAL": True, "MONGO_URI": "", "MONGO_DATABASE": store.db.name, **settings}
    )
    mw = IncrementalMiddleware.from_crawler(crawler)
    mw.store = store
    return mw


def article(url: str) -> Request:
    return Request(url, meta={"article": True})


def test_off_unless_incremental() -> None:
    with pytest.raises(NotConfigured):
        IncrementalMiddleware.from_crawler(get_crawler(IthomeSpider, {"INCREMENTAL": False}))


def test_article_requests_are_marked_or_known_by_callback() -> None:
    spider = IthomeSpider()
    assert is_article_request(Request("https://www.ithome.com/0/915/391.htm", callback=spider.parse_article))
    assert is_article_request(article("https://www.ithome.com/0/915/391.htm"))
    assert not is_article_request(Request("https://www.ithome.com/rss/", callback=spider.parse))


def test_stored_articles_are_skipped_recent_ones_asked_conditionally(store: Store) -> None:
    old, recent, new = (f"https://www.ithome.com/0/915/{n}.htm" for n in (100, 200, 300))
    store.articles.insert_many(
        [
            {
                "_id": article_id(old),
                "url": old,
                "first_seen_at": NOW - timedelta(days=5),
                "fetched_at": NOW - timedelta(days=5),
            },
            {
                "_id": article_id(recent),
                "url": recent,
                "first_seen_at": NOW - timedelta(hours=10),
                "fetched_at": NOW - timedelta(hours=10),
                "etag": '"abc"',
                "last_modified": "Tue, 20 Jan 2026 02:00:00 GMT",
            },
        ]
    )
    mw = middleware(store)
    feed = Request("https://www.ithome.com/rss/")
    item = {"title": "kept"}
    # A tracking parameter does not hide a stored article: the lookup goes by canonical URL.
    outputs = list(mw.filter([feed, article(old + "?utm_source=rss"), article(recent), article(new), item], now=NOW))
    assert [getattr(o, "url", o) for o in outputs] == [feed.url, recent, new, item]
    assert outputs[1].headers.get("If-None-Match") == b'"abc"'
    assert outputs[1].headers.get("If-Modified-Since") == b"Tue, 20 Jan 2026 02:00:00 GMT"
    assert outputs[2].headers.get("If-None-Match") is None
    stats = mw.stats.get_stats()
    assert stats["aidaily/incremental/skipped"] == 1
    assert stats["aidaily/incremental/refetched"] == 1
    # Fetched less than REFETCH_AFTER_HOURS ago: even a recent article is not asked for again.
    assert [o.url for o in mw.filter([article(recent)], now=NOW - timedelta(hours=8))] == []


def test_known_articles_cache_is_bounded(store: Store) -> None:
    urls = [f"https://www.ithome.com/0/915/{n}.htm" for n in range(10)]
    store.articles.insert_many(
        [{"_id": article_id(u), "url": u, "first_seen_at": NOW - timedelta(days=9)} for u in urls]
    )
    mw = middleware(store, INCREMENTAL_CACHE_SIZE=4)
    assert list(mw.filter([article(u) for u in urls], now=NOW)) == []
    assert len(mw.known) == 4


def test_second_run_fetches_list_pages_only(mongo_uri: str, db_name: str, tmp_path: Path) -> None:
    urls = build_ithome_mirror(tmp_path / "pages", 6)
    env = {**os.environ, "MONGO_DATABASE": db_name, "AIDAILY_DATA_DIR": str(tmp_path / "data")}
    with MirrorServer(tmp_path / "pages") as mirror:
        args = [
            AIDAILY,
            "-v",  # Scrapy's stats dump is INFO: on stderr only with -v (it is in the log file always)
            "--mongo-uri",
            mongo_uri,
            "crawl",
            "ithome",
            "-s",
            f"MIRROR_URL={mirror.base_url}",
            "-s",
            "INCREMENTAL=True",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "DOWNLOAD_DELAY=0",
        ]
        first = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        assert "new 6" in first.stdout
        assert sorted(n for n in mirror.requests if n.endswith(".htm")) == sorted(u.split("//", 1)[1] for u in urls)
        mirror.requests.clear()
        second = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 0, second.stderr
        assert sorted(mirror.requests) == ["www.ithome.com/robots.txt", "www.ithome.com/rss/index.html"]
    assert "'aidaily/incremental/skipped': 6" in second.stderr
    with Store.open(mongo_uri, db_name=db_name) as store:
        assert store.articles.count_documents({}) == 6
