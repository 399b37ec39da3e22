"""Every pymongo recipe in docs/SCHEMA.md runs against a seeded database and returns what it says."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.dates import SHANGHAI
from crawler.store import Store
from tests.research.conftest import id_of

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "SCHEMA.md"
_RECIPE = re.compile(r"```python\n# recipe: (\S+)\n(.*?)```", re.S)


def recipes() -> dict[str, str]:
    return {name: code for name, code in _RECIPE.findall(SCHEMA.read_text(encoding="utf-8"))}


def check_company(ns: dict[str, Any]) -> None:
    assert [d["_id"] for d in ns["company"]] == [id_of(k) for k in ("ds-qbitai", "ds-36kr", "ds-ithome", "ds-old")]


def check_two_words(ns: dict[str, Any]) -> None:
    assert sorted(d["_id"] for d in ns["everywhere"]) == sorted(d["_id"] for d in ns["anchored"])
    assert len(ns["anchored"]) == 4


def check_date_range(ns: dict[str, Any]) -> None:
    assert [d["title"][:6] for d in ns["in_range"]] == ["英伟达发布新", "OpenAI", "DeepSe", "DeepSe", "DeepSe"]
    assert ns["in_range"][0]["published_at"] == datetime(2026, 1, 19, 8, tzinfo=SHANGHAI)


def check_category(ns: dict[str, Any]) -> None:
    assert sorted(d["_id"] for d in ns["business"]) == sorted([id_of("ds-old"), id_of("nv-36kr")])


def check_source(ns: dict[str, Any]) -> None:
    assert [d["_id"] for d in ns["kr"]] == [id_of("ds-36kr"), id_of("nv-36kr")]


def check_cluster_timeline(ns: dict[str, Any]) -> None:
    assert ns["cluster"]["members"] == [id_of(k) for k in ("ds-ithome", "ds-36kr", "ds-qbitai")]
    assert [(t[1], t[3]) for t in ns["timeline"]] == [
        ("IT之家", None),
        ("36氪", id_of("ds-ithome")),
        ("量子位", id_of("ds-ithome")),
    ]


def check_keyword_trend(ns: dict[str, Any]) -> None:
    assert [(r["_id"], r["articles"], sorted(r["sources"])) for r in ns["per_day"]] == [
        ("2026-01-10", 1, ["jiqizhixin"]),
        ("2026-01-20", 3, ["36kr", "ithome", "qbitai"]),
    ]


def check_keyword_halves(ns: dict[str, Any]) -> None:
    rows = {r["_id"]: (r["first"], r["second"]) for r in ns["halves"]}
    assert rows["deepseek"] == (0, 3)
    assert ns["halves"][0]["second"] >= ns["halves"][-1]["second"]


def check_source_day(ns: dict[str, Any]) -> None:
    counts = {(r["_id"]["source"], r["_id"]["day"]): r["articles"] for r in ns["counts"]}
    assert counts[("36kr", "2026-01-20")] == 1 and counts[("jiqizhixin", "2026-01-10")] == 1
    assert sum(counts.values()) == 8


def check_duplicates(ns: dict[str, Any]) -> None:
    assert sorted(d["source_name"] for d in ns["copies"]) == ["36氪", "量子位"]


def check_runs_and_board(ns: dict[str, Any]) -> None:
    assert ns["stored_per_source"] == {"ithome": 4, "36kr": 2}
    assert ns["board"]["date"] == "2026-01-19"
    assert ns["spend"] == [{"_id": "deepseek-chat", "usd": pytest.approx(0.03)}]


CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "company": check_company,
    "two-words": check_two_words,
    "date-range": check_date_range,
    "category": check_category,
    "source": check_source,
    "cluster-timeline": check_cluster_timeline,
    "keyword-trend": check_keyword_trend,
    "keyword-halves": check_keyword_halves,
    "source-day": check_source_day,
    "duplicates": check_duplicates,
    "runs-and-board": check_runs_and_board,
}


@pytest.fixture(scope="module")
def with_runs(archive: Store) -> Iterator[Store]:
    """The archive plus a crawl run, two leaderboard snapshots and two LLM runs."""
    day = datetime(2026, 1, 20, 15, tzinfo=SHANGHAI)
    archive.runs.insert_many(
        [
            {"_id": "old", "started_at": datetime(2026, 1, 19, tzinfo=SHANGHAI), "sources": {"ithome": {"stored": 1}}},
            {"_id": "new", "started_at": day, "sources": {"ithome": {"stored": 4}, "36kr": {"stored": 2}}},
        ]
    )
    archive.collection("leaderboard").insert_many(
        [
            {"_id": f"{d}:text/overall", "date": d, "category": "text/overall", "entries": []}
            for d in ("2026-01-18", "2026-01-19")
        ]
    )
    archive.collection("llm_runs").insert_many(
        [
            {"_id": "r1", "model": "deepseek-chat", "estimated_cost_usd": 0.01},
            {"_id": "r2", "model": "deepseek-chat", "estimated_cost_usd": 0.02},
        ]
    )
    yield archive
    for name in ("crawl_runs", "leaderboard", "llm_runs"):
        archive.collection(name).delete_many({})


def test_every_recipe_has_a_check() -> None:
    assert sorted(recipes()) == sorted(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_recipe(with_runs: Store, name: str) -> None:
    namespace: dict[str, Any] = {"db": with_runs.db}
    exec(compile(recipes()[name], f"docs/SCHEMA.md#{name}", "exec"), namespace)
    CHECKS[name](namespace)
