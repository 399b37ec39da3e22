"""reports.search against a real server: terms, phrases, filters, folding, and the index against brute force."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.dates import SHANGHAI
from crawler.store import Store
from enrich import searchstore
from enrich.searchstore import COLLECTION, catch_up, index_articles, read_meta, rebuild_index
from enrich.tokens import TokenizerKit
from reports.search import QueryError, SearchQuery, parse_query, ranked, search, story_line, story_record
from tests.research.conftest import id_of, make_docs
from tests.research.reference import recombined, reference_ranking

ENRICH_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "enrich" / "articles.jsonl"


def query(kit: TokenizerKit, text: str, **kw: object) -> SearchQuery:
    terms, phrases = parse_query(text, kit.tokenize)
    return SearchQuery(terms, phrases, **kw)  # type: ignore[arg-type]


def titles(store: Store, q: SearchQuery, kit: TokenizerKit) -> list[str]:
    return [s.doc["title"] for s in search(store, q, kit=kit).stories]


def test_parse_query_splits_terms_and_phrases(kit: TokenizerKit) -> None:
    terms, phrases = parse_query('DeepSeek 开源 "推理成本"', kit.tokenize)
    assert terms == ("deepseek", "开源", "推理成本")
    assert phrases == ("推理成本",)
    assert parse_query("“价格战”", kit.tokenize)[1] == ("价格战",)


@pytest.mark.parametrize("text", ["", "   ", "的 了"])
def test_parse_query_rejects_queries_without_words(kit: TokenizerKit, text: str) -> None:
    with pytest.raises(QueryError):
        parse_query(text, kit.tokenize)


def test_all_terms_must_match_and_duplicates_fold(archive: Store, kit: TokenizerKit) -> None:
    result = search(archive, query(kit, "DeepSeek 开源"), kit=kit)
    ids = [s.doc["_id"] for s in result.stories]
    # the V3.2 story (three copies) comes first, folded; the price-war article matches both words too
    assert ids == [id_of("ds-ithome"), id_of("ds-old")]
    head = result.stories[0]
    assert sorted(d["_id"] for d in head.duplicates) == sorted([id_of("ds-36kr"), id_of("ds-qbitai")])
    assert story_line(head).endswith("+2 sources: 36氪, 量子位")
    assert result.matches == 4
    assert search(archive, query(kit, "DeepSeek 开源 英伟达"), kit=kit).stories == []


def test_phrase_needs_its_words_in_a_row(archive: Store, kit: TokenizerKit) -> None:
    assert titles(archive, query(kit, '"价格战将持续"'), kit) == ["国产大模型价格战：谁在降价"]
    assert titles(archive, query(kit, '"价格战将停止"'), kit) == []
    # both words are in the article, but not next to each other
    assert titles(archive, query(kit, '"降价 价格战"'), kit) == []


def test_filters_dates_sources_category_cluster(archive: Store, kit: TokenizerKit) -> None:
    q = "DeepSeek"
    assert titles(archive, query(kit, q, until=date(2026, 1, 15)), kit) == ["国产大模型价格战：谁在降价"]
    found = search(archive, query(kit, q, sources=("36kr",)), kit=kit).stories
    assert [s.doc["source"] for s in found] == ["36kr"]
    assert titles(archive, query(kit, q, category="产业商业"), kit) == ["国产大模型价格战：谁在降价"]
    found = search(archive, query(kit, q, cluster="c-ds"), kit=kit).stories
    assert [s.doc["cluster_id"] for s in found] == ["c-ds"]
    assert titles(archive, query(kit, q, since=date(2026, 1, 21)), kit) == []


def test_a_duplicate_whose_canonical_did_not_match_is_its_own_story(archive: Store, kit: TokenizerKit) -> None:
    # only the 36氪 copy is from 36kr: its canonical (IT之家) is filtered out, so it stands alone
    stories = search(archive, query(kit, "DeepSeek 开源", sources=("36kr",)), kit=kit).stories
    assert [(s.doc["_id"], s.duplicates) for s in stories] == [(id_of("ds-36kr"), [])]


def _small_archive(kit: TokenizerKit) -> list[dict[str, Any]]:
    docs = make_docs(kit)
    for line in ENRICH_FIXTURE.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        when = datetime.fromisoformat(record["published_at"])
        docs.append(
            {k: v for k, v in record.items() if k != "id"}
            | {"_id": record["id"], "published_at": when, "enriched_at": when, "category": "技术底座"}
        )
    return docs + recombined(docs, 400)


QUERIES = [
    ("DeepSeek", {}),
    ("DeepSeek 开源", {}),
    ("模型", {}),
    ("发布", {"since": date(2026, 1, 10), "until": date(2026, 1, 19)}),
    ("发布 模型", {"sources": ("36kr", "ithome")}),
    ("英伟达", {"category": "产业商业"}),
    ("开源", {"cluster": "rc3"}),
    ('"推理成本"', {}),
    ('"价格 腰斩" api', {}),
    ("芯片 算力", {"since": date(2026, 1, 5)}),
]


@pytest.mark.parametrize("text, kw", QUERIES)
def test_the_index_ranks_exactly_as_brute_force(store: Store, kit: TokenizerKit, text: str, kw: dict) -> None:
    docs = _small_archive(kit)
    store.articles.insert_many(docs)
    q = query(kit, text, **kw)
    expected = reference_ranking(docs, q, kit)
    assert expected, "the query must match something to test anything"
    assert ranked(store, q, kit=kit) == expected


def test_updates_deletes_and_merges_keep_the_ranking_exact(
    store: Store, kit: TokenizerKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(searchstore, "SMALLEST_CLASS", 10)
    docs = _small_archive(kit)
    store.articles.insert_many(docs)
    rebuild_index(store, kit)
    # re-enrich a few at a time: each update writes a segment, replaced articles lose their old ordinals
    later = datetime(2026, 3, 1, tzinfo=SHANGHAI)
    for n in range(0, 60, 10):
        batch = [
            d | {"body": d["body"] + "\n英伟达与台积电合作推进先进封装。", "enriched_at": later}
            for d in docs[n : n + 10]
        ]
        for d in batch:
            store.articles.replace_one({"_id": d["_id"]}, d)
        index_articles(store, batch, kit)
        docs[n : n + 10] = batch
    meta = read_meta(store)
    assert meta is not None and len(meta.segments) < 7  # merged along the way
    for text, kw in [("推进", {}), ("英伟达 封装", {}), ("模型", {}), ('"先进封装"', {})]:
        q = query(kit, text, **kw)
        assert ranked(store, q, kit=kit) == reference_ranking(docs, q, kit)


def test_search_indexes_what_was_enriched_since_and_builds_a_missing_index(store: Store, kit: TokenizerKit) -> None:
    docs = make_docs(kit)
    store.articles.insert_many(docs)
    q = query(kit, "人形机器人")
    assert [s.doc["title"] for s in search(store, q, kit=kit).stories] == ["人形机器人公司完成新一轮融资"]
    assert store.collection(COLLECTION).count_documents({}) > 1  # built on first use
    late = docs[0] | {
        "_id": "late",
        "url": "https://example.test/late",
        "title": "人形机器人量产提速",
        "published_at": docs[0]["published_at"] + timedelta(days=1),
        "enriched_at": datetime(2026, 2, 1, tzinfo=SHANGHAI),
        "duplicate_of": None,
    }
    store.articles.insert_one(late)
    found = [s.doc["_id"] for s in search(store, q, kit=kit).stories]
    assert sorted(found) == sorted(["late", id_of("robot-ithome")])
    assert catch_up(store, kit).indexed_through == late["enriched_at"]


def test_the_server_queries_of_a_search_are_index_lookups(archive: Store, kit: TokenizerKit) -> None:
    """Search reads the index by _id and filters by single indexed fields: no planner limit can apply."""
    meta = catch_up(archive, kit)
    plans = [
        archive.collection(COLLECTION).find({"_id": {"$in": ["meta", "x:docs"]}}).explain(),
        archive.articles.find({"enriched_at": {"$gt": meta.indexed_through}}).explain(),
        archive.articles.find({"cluster_id": "c-ds"}, {"_id": 1}).explain(),
        archive.articles.find({"_id": {"$in": [id_of("ds-old")]}}).explain(),
    ]
    for plan in plans:
        text = json.dumps(plan["queryPlanner"]["winningPlan"], default=str)
        assert "IXSCAN" in text and "COLLSCAN" not in text, text


def _another_report_of_qwen3(kit: TokenizerKit) -> dict[str, Any]:
    """量子位's own report of the Qwen3 release AIbase carried: other words, same event (cluster ``c-qw``)."""
    [aibase] = [d for d in make_docs(kit) if d["_id"] == id_of("qw-aibase")]
    title, body = "通义千问Qwen3开源：多模态能力登顶开源榜单", "阿里巴巴开源Qwen3，多个开源榜单第一。"
    return aibase | {
        "_id": "qw-qbitai-report",
        "url": "https://example.qbitai.test/news/qw-qbitai-report.html",
        "source": "qbitai",
        "source_name": "量子位",
        "title": title,
        "body": body,
        "tokens": list(dict.fromkeys([*kit.tokenize(title), *kit.tokenize(body)])),
        "published_at": aibase["published_at"] + timedelta(hours=2),
        "content_hash": "hash-qw-qbitai-report",
    }


def test_reports_of_one_event_fold_into_one_story(seeded: Store, kit: TokenizerKit) -> None:
    seeded.articles.insert_one(_another_report_of_qwen3(kit))
    result = search(seeded, query(kit, "Qwen3 开源"), kit=kit)
    assert result.matches == 2  # both are ranked; the event is shown once
    [story] = result.stories
    # the better-ranked report leads (量子位's, short and with both words in its title); AIbase's is named under it
    assert story.doc["_id"] == "qw-qbitai-report" and story.duplicates == []
    assert [d["_id"] for d in story.reports] == [id_of("qw-aibase")]
    assert story_line(story).endswith("(also reported by AIbase)")
    assert story_record(story)["reports"][0]["url"] == "https://example.aibase.test/news/qw-aibase.html"
    # asked for the event's articles, every one is listed
    members = search(seeded, query(kit, "Qwen3 开源", cluster="c-qw"), kit=kit).stories
    assert sorted(s.doc["_id"] for s in members) == sorted([id_of("qw-aibase"), "qw-qbitai-report"])


def test_the_limit_counts_events_not_reports(seeded: Store, kit: TokenizerKit) -> None:
    seeded.articles.insert_one(_another_report_of_qwen3(kit))
    everything = search(seeded, query(kit, "开源", limit=50), kit=kit).stories
    first = search(seeded, query(kit, "开源", limit=2), kit=kit).stories
    assert [s.doc["_id"] for s in first] == [s.doc["_id"] for s in everything[:2]]
    clusters = [s.doc["cluster_id"] for s in everything]
    assert len(clusters) == len(set(clusters))  # no event twice
