"""Enrichment over MongoDB survives one bad article: a 5 MB page, a write that fails half-way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient, monitoring
from pymongo.errors import NetworkTimeout

import enrich.stored
from crawler.dates import SHANGHAI
from crawler.store import Store
from enrich.runner import EnrichSettings, Models
from enrich.searchstore import COLLECTION, index_articles
from enrich.stored import enrich_stored
from enrich.tokens import TokenizerKit
from reports.search import SearchQuery, search
from tests.enrich.conftest import load_articles
from tests.faults import TAIL_MARKER, huge_body
from tests.servers import MongoServerProcess

NOW = datetime(2026, 1, 22, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def own_store(tmp_path: Path) -> Iterator[Store]:
    """A store on a server of its own: a 5 MB document would slow the shared server for every later test."""
    server = MongoServerProcess(tmp_path / "mongo").start()
    with Store.open(server.uri) as store:
        store.ensure_indexes()
        yield store
    server.kill()  # nothing to keep


def test_a_5_mb_page_is_enriched_from_its_first_characters_only(own_store: Store, kit: TokenizerKit) -> None:
    store = own_store
    articles = load_articles()[:3]
    huge = dict(articles[0], _id="huge", url="https://www.ithome.com/0/999/999.htm", title="超长页面测试")
    huge["body"] = huge_body()
    store.articles.insert_many([*articles, huge])
    settings = EnrichSettings(max_body_chars=100_000)
    result = enrich_stored(store, {"enriched_at": None}, kit=kit, settings=settings, models=Models(), now=NOW)
    assert result is not None
    stored = store.articles.find_one({"_id": "huge"})
    assert stored is not None
    assert len(stored["body"]) == len(huge["body"])  # the page is kept whole
    assert stored["enriched_at"] is not None
    assert TAIL_MARKER not in stored["tokens"]  # what lies past the cap is not read
    assert stored["tokens"][:5] == kit.tokenize(huge["title"] + "\n" + huge["body"][:2000])[:5]
    assert store.articles.count_documents({"enriched_at": None}) == 0
    # the search index reads as far as enrichment does: a word past the cap finds nothing
    assert search(store, SearchQuery((TAIL_MARKER,)), kit=kit).matches == 0


def test_an_article_is_marked_enriched_only_once_its_search_entry_is_written(
    store: Store, kit: TokenizerKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.articles.insert_many(load_articles()[:4])

    def timed_out(*args: Any, **kwargs: Any) -> None:
        raise NetworkTimeout("127.0.0.1: timed out")  # what the 5 MB page's index update once ran into

    monkeypatch.setattr(enrich.stored, "index_articles", timed_out)
    with pytest.raises(NetworkTimeout):
        enrich_stored(store, {"enriched_at": None}, kit=kit, settings=EnrichSettings(), models=Models(), now=NOW)
    assert store.articles.count_documents({"enriched_at": None}) == 4  # the rerun finds them all
    monkeypatch.undo()
    result = enrich_stored(store, {"enriched_at": None}, kit=kit, settings=EnrichSettings(), models=Models(), now=NOW)
    assert result is not None
    assert store.articles.count_documents({"enriched_at": NOW}) == 4


class InsertSizes(monitoring.CommandListener):
    """How many documents each ``insert`` command on the search index carried."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "insert" and event.command.get("insert") == COLLECTION:
            self.sizes.append(len(event.command["documents"]))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def test_a_huge_page_is_indexed_in_bounded_commands(mongo_uri: str, db_name: str, kit: TokenizerKit) -> None:
    listener = InsertSizes()
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri, event_listeners=[listener])
    store = Store(client, db_name)
    try:
        huge = dict(load_articles()[0], _id="huge", body=huge_body(), enriched_at=NOW)
        store.articles.insert_one(huge)
        index_articles(store, [huge], kit)  # no index yet: built from the articles
        assert listener.sizes and max(listener.sizes) <= 64  # never one command carrying the whole page
        assert search(store, SearchQuery((TAIL_MARKER,)), kit=kit).matches == 0
    finally:
        client.drop_database(db_name)
        client.close()
