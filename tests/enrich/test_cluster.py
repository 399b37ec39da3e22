from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from crawler.dates import SHANGHAI
from enrich.runner import EnrichResult, EnrichSettings, Judge, Models, enrich
from enrich.tokens import TokenizerKit

NOW = datetime(2026, 1, 21, 8, 0, tzinfo=SHANGHAI)
V32 = {"jqzx-v32", "36kr-v32-repost", "ithome-v32", "ithome-v32-copy"}
GOLD = {"36kr-gold-1", "aibase-gold-2", "ithome-gold-3"}


def _judge(groups: list[set[str]]) -> Judge:
    """A stand-in for the LLM gate that knows which articles are one event."""

    def judge(day: date, articles: Mapping[str, Any], pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        return {(a, b) for a, b in pairs if any(a in g and b in g for g in groups)}

    return judge


def _run(kit: TokenizerKit, targets: list[dict[str, Any]], context: list[dict[str, Any]] | None = None,
         clusters: dict[str, Any] | None = None, judge: Judge | None = None) -> EnrichResult:  # fmt: skip
    models = Models(judge=judge)
    return enrich(targets, context or [], kit=kit, settings=EnrichSettings(), now=NOW, clusters=clusters, models=models)


def _cluster_of(result: EnrichResult) -> dict[str, str]:
    return {doc_id: f["cluster_id"] for doc_id, f in result.updates if "cluster_id" in f}


def test_offline_gate_joins_copies_and_keeps_different_twins_apart(
    kit: TokenizerKit, articles: list[dict[str, Any]]
) -> None:
    cluster = _cluster_of(_run(kit, articles))
    assert cluster["36kr-v32-repost"] == cluster["jqzx-v32"] == "cjqzx-v32"  # a repost joins its original
    assert cluster["ithome-unitree"] == cluster["36kr-unitree"]
    # Precise first: different titles at different times are not joined without a second gate.
    assert len({cluster[d] for d in GOLD}) == 3
    assert cluster["qbitai-glm"] != cluster["jqzx-v32"] and cluster["36kr-byd"] == "c36kr-byd"


def test_gold_trio_and_model_release_cluster(kit: TokenizerKit, articles: list[dict[str, Any]]) -> None:
    result = _run(kit, articles, judge=_judge([GOLD, V32]))
    cluster = _cluster_of(result)
    assert {cluster[d] for d in GOLD} == {"c36kr-gold-1"}  # named after its earliest member
    assert len({cluster[d] for d in V32}) == 1
    assert cluster["qbitai-glm"] != cluster["jqzx-v32"]  # another model release, another event
    assert cluster["36kr-byd"] == "c36kr-byd" and cluster["36kr-pboc"] == "c36kr-pboc"
    docs = {c["_id"]: c for c in result.clusters}
    gold = docs["c36kr-gold-1"]
    assert gold["members"] == ["36kr-gold-1", "aibase-gold-2", "ithome-gold-3"]
    assert gold["sources"] == ["36kr", "aibase", "ithome"]
    assert gold["representative"] == "36kr-gold-1" and gold["days"] == ["2026-01-20"]  # the earliest report
    assert gold["joined_by"] == {"36kr-gold-1": "seed", "aibase-gold-2": "llm", "ithome-gold-3": "llm"}
    assert "现货黄金" in gold["keywords"] and gold["label"]
    release = docs[cluster["jqzx-v32"]]
    assert release["representative"] == "jqzx-v32"  # the original publisher the 36氪 repost credits
    assert "deepseek-v3.2" in release["keywords"]
    assert release["first_published_at"] == datetime(2026, 1, 19, 10, 5, tzinfo=SHANGHAI)


def test_article_fields(kit: TokenizerKit, articles: list[dict[str, Any]]) -> None:
    fields = dict(_run(kit, articles).updates)
    v32 = fields["jqzx-v32"]
    assert "deepseek-v3.2" in v32["tokens"] and "大模型" in v32["tokens"]
    assert len(v32["tokens"]) == len(set(v32["tokens"]))
    assert 0 < len(v32["keywords"]) <= 8 and "deepseek-v3.2" in v32["keywords"][:3]
    assert v32["enriched_at"] == NOW and v32["enrich_version"]


def test_running_twice_gives_the_same_output(kit: TokenizerKit, articles: list[dict[str, Any]]) -> None:
    first, second = _run(kit, articles), _run(kit, list(reversed(articles)))
    assert sorted(first.updates) == sorted(second.updates)
    assert first.clusters == second.clusters


def _applied(docs: list[dict[str, Any]], result: EnrichResult) -> list[dict[str, Any]]:
    fields = dict(result.updates)
    return [doc | fields.get(doc["_id"], {}) for doc in docs]


def test_a_new_day_joins_yesterdays_cluster(kit: TokenizerKit, articles: list[dict[str, Any]]) -> None:
    day1 = [a for a in articles if a["published_at"].date() == date(2026, 1, 19)]
    day2 = [a for a in articles if a["published_at"].date() == date(2026, 1, 20)]
    judge = _judge([V32 | {"36kr-v32-cloud"}, GOLD])
    first = _run(kit, day1, judge=judge)
    stored = {c["_id"]: c for c in first.clusters}
    context = _applied(day1, first)
    second = _run(kit, day2, context, stored, judge=judge)
    cluster = _cluster_of(second)
    release_id = _cluster_of(first)["jqzx-v32"]
    assert cluster["36kr-v32-cloud"] == release_id
    release = next(c for c in second.clusters if c["_id"] == release_id)
    assert "36kr-v32-cloud" in release["members"] and "jqzx-v32" in release["members"]
    assert release["days"] == ["2026-01-19", "2026-01-20"]
    # Day by day gives what one run over both days gives.
    together = _cluster_of(_run(kit, articles, judge=judge))
    assert {**_cluster_of(first), **cluster} == together
    # Re-running the second day against the same context changes nothing.
    again = _run(kit, day2, context, stored, judge=judge)
    assert again.updates == second.updates and again.clusters == second.clusters
