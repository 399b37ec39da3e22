from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import crawler.settings
from aidaily.cli import main
from crawler.dates import SHANGHAI
from crawler.store import Store
from enrich.categorize import CATEGORIES, load_model
from enrich.relevance import load_model as load_relevance
from tests.enrich.conftest import ARTICLES, load_articles

ENRICHED = ("tokens", "keywords", "duplicate_of", "duplicate_kind", "cluster_id", "ai_score", "is_ai", "category",
            "category_confidence", "enriched_at", "enrich_version")  # fmt: skip
FOLLOW_UP = {
    "_id": "qbitai-v32-usage",
    "url": "https://www.qbitai.com/2026/01/370101.html",
    "source": "qbitai",
    "kind": "article",
    "title": "DeepSeek-V3.2上线两天，API调用量翻了三倍",
    "body": "量子位 | 公众号 QbitAI\nDeepSeek-V3.2发布两天后，深度求索披露API调用量较上一代增长三倍。"
    "DeepSeek-V3.2采用MoE混合专家架构和稀疏注意力机制，支持128K上下文，API价格下调50%。\n"
    "多家云厂商已上线DeepSeek-V3.2模型服务，开发者反馈长上下文推理成本下降明显。",
    "published_at": datetime(2026, 1, 21, 10, 0, tzinfo=SHANGHAI),
}


@pytest.fixture
def run_enrich(mongo_uri: str, db_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """``aidaily --mongo-uri URI enrich ARGS`` in this process, on the test's database; returns its output."""
    # Settings are read from crawler.settings when each command starts; point it at this test's database.
    monkeypatch.setattr(crawler.settings, "MONGO_DATABASE", db_name)

    def run(*args: str) -> str:
        result = CliRunner().invoke(
            main, ["--mongo-uri", mongo_uri, "--data-dir", str(tmp_path / "data"), "enrich", *args]
        )
        assert result.exit_code == 0, result.output
        return result.output

    return run


def _snapshot(store: Store) -> tuple[dict[str, Any], dict[str, Any]]:
    articles = {d["_id"]: {k: d.get(k) for k in ENRICHED if k != "enriched_at"} for d in store.articles.find()}
    return articles, {c["_id"]: c for c in store.collection("clusters").find()}


def test_enrich_over_mongodb(store: Store, run_enrich: Callable[..., str]) -> None:
    store.articles.insert_many(load_articles())
    log = run_enrich()
    assert "enriched 20 articles: 3 duplicates" in log
    docs = {d["_id"]: d for d in store.articles.find()}
    for doc in docs.values():
        assert all(k in doc for k in ENRICHED), doc["_id"]
        assert doc["category"] in CATEGORIES and 0.0 <= doc["ai_score"] <= 1.0
        assert doc["model_versions"] == {"relevance": load_relevance().version, "category": load_model().version}
    assert docs["36kr-v32-repost"]["duplicate_of"] == "jqzx-v32"
    assert docs["jqzx-v32"]["is_ai"] is True
    # Offline, the gate joins copies and close twins only; the three gold 快讯 (different titles, different times)
    # stay apart until the LLM gate says otherwise (tests/enrich/test_eventjudge.py).
    release = store.collection("clusters").find_one({"_id": "cjqzx-v32"})
    assert release is not None and release["members"] == ["36kr-v32-repost", "jqzx-v32"]
    assert release["joined_by"] == {"36kr-v32-repost": "duplicate", "jqzx-v32": "seed"}
    assert release["first_published_at"] == datetime(2026, 1, 19, 10, 5, tzinfo=SHANGHAI)
    assert store.articles.count_documents({"tokens": {"$all": ["deepseek-v3.2", "大模型"]}}) >= 3

    before = _snapshot(store)
    assert "nothing to enrich" in run_enrich()
    run_enrich("--date", "2026-01-20")
    assert _snapshot(store) == before  # re-running a day changes nothing

    store.articles.insert_one(dict(FOLLOW_UP))
    assert "enriched 1 articles" in run_enrich()
    # A usage figure two days later is a new happening, not the release: its own story.
    assert store.articles.find_one({"_id": FOLLOW_UP["_id"]})["cluster_id"] == "cqbitai-v32-usage"  # type: ignore[index]
    assert _snapshot(store)[1]["cjqzx-v32"] == before[1]["cjqzx-v32"]


def test_enrich_a_file(tmp_path: Path) -> None:
    out, clusters = tmp_path / "out.jsonl", tmp_path / "clusters.jsonl"
    result = CliRunner().invoke(
        main, ["enrich", "--input", str(ARTICLES), "--output", str(out), "--clusters", str(clusters)]
    )
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert len(records) == 20
    v32 = records["jqzx-v32"]
    assert v32["title"].startswith("DeepSeek-V3.2") and v32["published_at"] == "2026-01-19T11:20:00+08:00"
    assert "deepseek-v3.2" in v32["tokens"] and v32["category"] in CATEGORIES
    assert records["36kr-v32-repost"]["duplicate_of"] == "jqzx-v32"
    assert records["36kr-v32-repost"]["cluster_id"] == "cjqzx-v32"
    written = {c["id"]: c for c in map(json.loads, clusters.read_text(encoding="utf-8").splitlines())}
    assert written["cjqzx-v32"]["days"] == ["2026-01-19"]
    assert set(written) == {r["cluster_id"] for r in records.values()}
