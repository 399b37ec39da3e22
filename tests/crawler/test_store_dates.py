"""A stored date that was impossible is corrected by a later crawl; a possible one never moves."""

from __future__ import annotations

from datetime import datetime, timedelta

from crawler.dates import SHANGHAI
from crawler.items import ArticleItem
from crawler.normalize import normalize_article
from crawler.store import Store

FETCHED = datetime(2026, 1, 20, 15, 0, tzinfo=SHANGHAI)
URL = "https://www.ithome.com/0/915/391.htm"


def doc(published: str | None, at: datetime = FETCHED, **kwargs: object) -> dict:
    item = ArticleItem(
        url=URL, source="ithome", title="标题", body="第一段。\n第二段。", published_at=published, **kwargs
    )  # type: ignore[arg-type]
    return normalize_article(item, fetched_at=at)


def stored_by_old_code(store: Store, published: datetime) -> None:
    """A document as the crawler wrote it before impossible dates were refused."""
    old = doc("2026-01-20 13:32") | {"published_at": published, "published_raw": "2099-01-01 00:00"}
    for key in ("date_flags", "extractor"):
        old.pop(key)
    store.upsert_articles([old], now=FETCHED)


def test_a_2099_date_is_corrected_by_a_later_crawl(store: Store) -> None:
    stored_by_old_code(store, datetime(2099, 1, 1, tzinfo=SHANGHAI))
    later = FETCHED + timedelta(hours=6)
    counts = store.upsert_articles([doc("2026-01-20 13:32", at=later, extractor="ithome")], now=later)
    assert counts.updated == 1
    current = store.articles.find_one({"url": URL})
    assert current["published_at"] == datetime(2026, 1, 20, 13, 32, tzinfo=SHANGHAI)
    assert current["published_raw"] == "2026-01-20 13:32"
    assert current["date_flags"] == [] and current["extractor"] == "ithome"
    assert current["version"] == 1  # the text did not change


def test_a_2099_date_is_cleared_when_the_later_crawl_has_none(store: Store) -> None:
    stored_by_old_code(store, datetime(2099, 1, 1, tzinfo=SHANGHAI))
    store.upsert_articles([doc("2099-01-01 00:00")], now=FETCHED)  # the page still claims 2099: refused now
    current = store.articles.find_one({"url": URL})
    assert current["published_at"] is None
    assert current["date_flags"] == ["future_date", "missing_date"]


def test_a_possible_date_never_moves(store: Store) -> None:
    store.upsert_articles([doc("3小时前")], now=FETCHED)
    later = FETCHED + timedelta(hours=20)
    counts = store.upsert_articles([doc("2026-01-20 09:00", at=later)], now=later)
    assert counts.unchanged == 1
    assert store.articles.find_one({"url": URL})["published_at"] == datetime(2026, 1, 20, 12, 0, tzinfo=SHANGHAI)
