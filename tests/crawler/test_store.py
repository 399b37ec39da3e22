"""The store against a real MongoDB-wire server: idempotent upserts, versions, indexes."""

from datetime import datetime, timedelta

import pytest
from pymongo.collection import Collection

from crawler.dates import SHANGHAI
from crawler.items import ArticleItem
from crawler.normalize import normalize_article
from crawler.store import Store

FETCHED = datetime(2026, 1, 20, 15, 0, tzinfo=SHANGHAI)


def doc(
    body: str = "第一段。\n第二段。",
    url: str = "https://36kr.com/p/1?f=rss",
    published: str = "3小时前",
    at: datetime = FETCHED,
) -> dict:
    item = ArticleItem(url=url, source="36kr", title="某公司发布新模型", body=body, published_at=published)
    return normalize_article(item, fetched_at=at, run_id="run-1")


def test_insert_then_rerun_changes_nothing(store: Store) -> None:
    first = store.upsert_articles([doc()], now=FETCHED)
    assert (first.inserted, first.updated, first.unchanged) == (1, 0, 0)
    before = store.articles.find_one({"url": "https://36kr.com/p/1"})
    # a later crawl of the same page: relative date resolves differently, fetch time differs
    again = store.upsert_articles([doc(at=FETCHED + timedelta(hours=2))], now=FETCHED + timedelta(hours=2))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    assert store.articles.find_one({"url": "https://36kr.com/p/1"}) == before
    assert store.articles.count_documents({}) == 1
    assert before["published_at"] == datetime(2026, 1, 20, 12, 0, tzinfo=SHANGHAI)


def test_changed_body_keeps_the_earlier_version(store: Store) -> None:
    store.upsert_articles([doc()], now=FETCHED)
    store.set_fields([(doc()["_id"], {"enriched_at": FETCHED, "category": "技术底座"})])
    later = FETCHED + timedelta(days=1)
    counts = store.upsert_articles([doc(body="第一段。\n更正后的第二段。", at=later)], now=later)
    assert counts.updated == 1
    current = store.articles.find_one({"_id": doc()["_id"]})
    assert current["body"] == "第一段。\n更正后的第二段。"
    assert current["version"] == 2
    assert "enriched_at" not in current  # enrichment must run again on the new text
    assert current["category"] == "技术底座"  # but what it wrote is not thrown away
    old = list(store.versions.find({"article_id": doc()["_id"]}))
    assert [v["body"] for v in old] == ["第一段。\n第二段。"]
    assert old[0]["version"] == 1


def test_same_url_twice_in_a_batch_is_one_document(store: Store) -> None:
    counts = store.upsert_articles([doc(), doc(url="https://36kr.com/p/1?utm_source=x")], now=FETCHED)
    assert counts.inserted == 1
    assert store.articles.count_documents({}) == 1


def test_missing_date_is_filled_by_a_later_crawl(store: Store) -> None:
    store.upsert_articles([doc(published="")], now=FETCHED)
    assert store.articles.find_one()["published_at"] is None
    store.upsert_articles([doc(published="2026-01-20 09:00")], now=FETCHED)
    assert store.articles.find_one()["published_at"] == datetime(2026, 1, 20, 9, 0, tzinfo=SHANGHAI)


def test_indexes_exist(store: Store) -> None:
    info = store.articles.index_information()
    assert info["url_unique"]["unique"] is True
    assert {"published_at", "source_published_at", "tokens_published_at", "content_hash"} <= set(info)


def test_an_article_another_crawl_inserted_meanwhile_is_not_counted_new(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two crawls on one database find the same new page at once: both look it up before either
    # has written it, both upsert it, one inserts. Only that one may count it new.
    store.upsert_articles([doc()], now=FETCHED)  # the other crawl's write lands first
    monkeypatch.setattr(Collection, "find", lambda self, *args, **kwargs: iter([]))  # looked up before it
    counts = store.upsert_articles([doc(), doc(url="https://36kr.com/p/2")], now=FETCHED)
    assert counts.outcomes == {doc()["_id"]: "unchanged", doc(url="https://36kr.com/p/2")["_id"]: "inserted"}
    monkeypatch.undo()
    assert store.articles.count_documents({}) == 2
