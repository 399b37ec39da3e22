"""reports.search against a real server: terms, phrases, filters, ranking, duplicate folding, index use."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from crawler.dates import SHANGHAI
from crawler.store import Store
from enrich.termdf import COLLECTION, META_ID, add_to_term_df, document_frequencies
from enrich.tokens import TokenizerKit
from reports.search import (
    DateWindows,
    QueryError,
    SearchQuery,
    fold_duplicates,
    parse_query,
    rank,
    search,
    search_plan,
    story_line,
)
from tests.research.conftest import id_of


def query(kit: TokenizerKit, text: str, **kw: object) -> SearchQuery:
    terms, phrases = parse_query(text, kit.tokenize)
    return SearchQuery(terms, phrases, **kw)  # type: ignore[arg-type]


def titles(store: Store, q: SearchQuery) -> list[str]:
    return [s.doc["title"] for s in search(store, q).stories]


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
    result = search(archive, query(kit, "DeepSeek 开源"))
    ids = [s.doc["_id"] for s in result.stories]
    # the V3.2 story (three copies) comes first, folded; the price-war article matches both words too
    assert ids == [id_of("ds-ithome"), id_of("ds-old")]
    head = result.stories[0]
    assert sorted(d["_id"] for d in head.duplicates) == sorted([id_of("ds-36kr"), id_of("ds-qbitai")])
    assert story_line(head).endswith("+2 sources: 36氪, 量子位")
    assert result.matches == 4
    # 英伟达 is in neither: nothing matches all three words
    assert search(archive, query(kit, "DeepSeek 开源 英伟达")).stories == []


def test_phrase_matches_the_text_not_just_the_tokens(archive: Store, kit: TokenizerKit) -> None:
    assert titles(archive, query(kit, '"价格战将持续"')) == ["国产大模型价格战：谁在降价"]
    assert titles(archive, query(kit, '"价格战将停止"')) == []


def test_filters_dates_sources_category_cluster(archive: Store, kit: TokenizerKit) -> None:
    q = "DeepSeek"
    assert titles(archive, query(kit, q, until=date(2026, 1, 15))) == ["国产大模型价格战：谁在降价"]
    assert [s.doc["source"] for s in search(archive, query(kit, q, sources=("36kr",))).stories] == ["36kr"]
    assert titles(archive, query(kit, q, category="产业商业")) == ["国产大模型价格战：谁在降价"]
    assert [s.doc["cluster_id"] for s in search(archive, query(kit, q, cluster="c-ds")).stories] == ["c-ds"]
    assert titles(archive, query(kit, q, since=date(2026, 1, 21))) == []


def test_ranking_prefers_term_frequency_then_recency() -> None:
    def doc(_id: str, title: str, body: str, day: int) -> dict[str, object]:
        return {"_id": _id, "title": title, "body": body, "published_at": datetime(2026, 1, day, tzinfo=SHANGHAI)}

    docs = [
        doc("once-old", "芯片新闻", "英伟达发布了新产品，其他厂商也在跟进。", 10),
        doc("title", "英伟达发布新芯片", "英伟达发布了新产品，其他厂商也在跟进。", 5),
        doc("once-new", "芯片新闻", "英伟达发布了新产品，其他厂商也在跟进。", 12),
        doc("rare-term", "芯片新闻", "英伟达和台积电发布了新产品，其他厂商也在跟进。", 1),
    ]
    ranked = rank(docs, ["英伟达"], {"英伟达": 50}, 1000)
    assert [d["_id"] for _, d in ranked] == ["title", "once-new", "once-old", "rare-term"]
    # repeating the rarer of two terms counts for more than repeating the common one
    pair = [
        doc("common-twice", "新闻", "英伟达与台积电合作，英伟达称。", 3),
        doc("rare-twice", "新闻", "英伟达与台积电合作，台积电称。", 3),
    ]
    both = rank(pair, ["英伟达", "台积电"], {"英伟达": 500, "台积电": 2}, 1000)
    assert [d["_id"] for _, d in both] == ["rare-twice", "common-twice"]


def test_fold_keeps_a_duplicate_whose_canonical_did_not_match() -> None:
    lone = {"_id": "b", "duplicate_of": "a", "source_name": "36氪", "title": "t"}
    stories = fold_duplicates([(1.0, lone)])
    assert [(s.doc["_id"], s.duplicates) for s in stories] == [("b", [])]


def test_candidate_cap_reports_truncation(archive: Store, kit: TokenizerKit) -> None:
    result = search(archive, query(kit, "DeepSeek"), max_candidates=2)
    assert result.truncated and result.candidates == 2


def test_term_df_is_built_on_first_use_and_updated_incrementally(seeded: Store) -> None:
    df, total = document_frequencies(seeded, ["deepseek", "英伟达", "nosuchterm"])
    assert total == 8
    assert df == {"deepseek": 4, "英伟达": 1}
    add_to_term_df(seeded, [["英伟达", "新词"]])
    df, total = document_frequencies(seeded, ["英伟达", "新词"])
    assert (df, total) == ({"英伟达": 2, "新词": 1}, 9)
    meta = seeded.collection(COLLECTION).find_one({"_id": META_ID})
    assert meta["first_published_at"] == datetime(2026, 1, 10, 9, tzinfo=SHANGHAI)
    assert meta["last_published_at"] == datetime(2026, 1, 20, 12, tzinfo=SHANGHAI)


def test_date_windows_walk_back_from_the_newest_day() -> None:
    day = timedelta(days=1)
    jan = [datetime(2025, 1, d, tzinfo=SHANGHAI) for d in range(1, 32)]
    meta = {"first_published_at": jan[0], "last_published_at": jan[10]}  # 10 days, 100 articles a day
    windows = DateWindows(SearchQuery(("openai",)), 1000, meta, 100)
    walk = iter(windows)
    assert next(walk) == {"published_at": {"$gte": jan[9]}}  # one day holds the 100 wanted
    windows.observe(50)  # it held 50: the rate seen sizes the next window for the 50 missing (+10%)
    assert next(walk) == {"published_at": {"$gte": jan[9] - 1.1 * day, "$lt": jan[9]}}
    windows.observe(0)
    rest = list(walk)
    assert rest[-1] == {"published_at": {"$lt": rest[-2]["published_at"]["$gte"]}}  # older articles at once
    assert windows.done
    # a term under the cap: the query's own range in one go
    assert list(DateWindows(SearchQuery(("openai",)), 100, meta, 100)) == [{}]
    # a since bound: the walk ends exactly there
    bounded = list(DateWindows(SearchQuery(("openai",), since=date(2025, 1, 8)), 1000, meta, 100))
    assert bounded[-1] == {"published_at": {"$gte": jan[7], "$lt": bounded[-2]["published_at"]["$gte"]}}


@pytest.mark.parametrize(
    "text, kw",
    [
        ("DeepSeek", {}),
        ("DeepSeek 开源", {}),
        ("OpenAI 推理", {"since": date(2026, 1, 19), "until": date(2026, 1, 20)}),
        ("DeepSeek", {"sources": ("36kr", "ithome"), "category": "技术底座"}),
        ('"推理成本"', {}),
        ("DeepSeek", {"cluster": "c-ds", "since": date(2026, 1, 1)}),
    ],
)
def test_every_search_shape_is_served_by_an_index(archive: Store, kit: TokenizerKit, text: str, kw: dict) -> None:
    plan = search_plan(archive, query(kit, text, **kw))
    assert "IXSCAN" in plan and "COLLSCAN" not in plan, plan
