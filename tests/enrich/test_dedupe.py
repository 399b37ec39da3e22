from __future__ import annotations

from datetime import datetime
from typing import Any

from crawler.dates import SHANGHAI
from enrich.cluster import representative_index, representative_of
from enrich.dedupe import DupDoc, Mark, containment, content_key, credited_source, find_duplicates, shingles
from enrich.runner import EnrichSettings, enrich
from enrich.tokens import TokenizerKit

NOW = datetime(2026, 1, 21, 8, 0, tzinfo=SHANGHAI)


def _marks(kit: TokenizerKit, docs: list[dict[str, Any]]) -> dict[str, tuple[str | None, str | None]]:
    result = enrich(docs, [], kit=kit, settings=EnrichSettings(), now=NOW)
    return {doc_id: (f["duplicate_of"], f["duplicate_kind"]) for doc_id, f in result.updates}


def test_credit_lines_name_the_original_publisher() -> None:
    assert (
        credited_source("本文来自微信公众号：机器之心（ID：almosthuman2014），36氪经授权发布。\n正文") == "jiqizhixin"
    )
    assert credited_source("正文第一段\n正文第二段\n来源：量子位") == "qbitai"
    assert credited_source("本文转载自新智元\n正文") == "aiera"
    # A publisher named in the middle of a long text is a mention, not a credit.
    middle = "\n".join(["第一段", "第二段", "第三段", "据量子位报道，来源：量子位", "第五段", "第六段", "第七段"])
    assert credited_source(middle) is None


def test_a_document_reads_its_credit_once_and_representatives_agree_on_it() -> None:
    body = "正文第一段\n正文第二段\n来源：量子位"
    doc = DupDoc("a", "https://a.example/1", "36kr", NOW, "标题", body)
    assert doc.credit == "qbitai" and doc.__dict__["credit"] == "qbitai"  # cached on the document
    members = [("36kr", body, True), ("qbitai", "量子位原文\n第二段", False), ("ithome", "另一篇", False)]
    credits = [(source, credited_source(text), duplicate) for source, text, duplicate in members]
    assert representative_of(credits) == representative_index(members) == 1  # the credited original publisher
    assert representative_of([("ithome", None, True), ("36kr", None, False)]) == 1  # else the first original


def test_reposts_point_at_the_credited_original_even_when_it_is_later(
    kit: TokenizerKit, articles: list[dict[str, Any]]
) -> None:
    marks = _marks(kit, articles)
    # 36Kr ran the 机器之心 piece an hour before 机器之心's own copy; the credit line decides.
    assert marks["36kr-v32-repost"] == ("jqzx-v32", "near")
    assert marks["jqzx-v32"] == (None, None)
    # The same page under a second URL (mobile site) is an exact duplicate of the earlier copy.
    assert marks["ithome-v32-copy"] == ("ithome-v32", "exact")
    # The same 快讯 on two sites: the earliest is canonical.
    assert marks["ithome-unitree"] == ("36kr-unitree", "near")
    # Different articles about the same release are not duplicates.
    assert marks["ithome-v32"] == (None, None)
    assert marks["36kr-v32-cloud"] == (None, None)
    assert sum(1 for m in marks.values() if m[0]) == 3


def test_ties_go_to_the_smaller_id() -> None:
    when = datetime(2026, 1, 20, 9, 0, tzinfo=SHANGHAI)
    text = "现货黄金日内涨超2%，现报4712美元/盎司，续创历史新高。"
    docs = [
        DupDoc("b", "https://b.example/1", "36kr", when, "金价新高", text, content_key("金价新高", text)),
        DupDoc("a", "https://a.example/1", "ithome", when, "金价新高", text + " ", content_key("金价新高", text + " ")),
    ]
    assert find_duplicates(docs, []) == [Mark("a", "exact"), Mark()]
    assert find_duplicates(list(reversed(docs)), []) == [Mark(), Mark("a", "exact")]


def test_containment_survives_a_trimmed_repost() -> None:
    original = shingles("第一段内容讲模型发布。第二段讲价格下调。第三段讲业内评价和后续计划。")
    trimmed = shingles("第一段内容讲模型发布。第二段讲价格下调。")
    assert containment(original, trimmed) == 1.0
    assert containment(original, shingles("完全不同的一条关于金价的快讯内容。")) < 0.1
