"""The research queries are served by indexes: no COLLSCAN in any winning plan (SecantusDB's planner)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from crawler.export import date_range_query
from crawler.store import Store
from reports.search import plan_stages
from reports.stats import Period

RANGE = date_range_query(date(2026, 1, 15), date(2026, 1, 20))


def winning(store: Store, query: dict[str, Any], sort: list[tuple[str, int]] | None = None) -> str:
    cursor = store.articles.find(query)
    if sort:
        cursor = cursor.sort(sort)
    return plan_stages(cursor.explain()["queryPlanner"]["winningPlan"])


@pytest.mark.parametrize(
    "query, sort, index",
    [
        ({"tokens": "deepseek"}, None, "tokens_published_at"),
        ({"tokens": "deepseek", **RANGE}, [("published_at", -1)], "tokens_published_at"),
        (RANGE, [("published_at", 1), ("_id", 1)], "published_at"),
        ({"source": "36kr", **RANGE}, [("published_at", 1), ("_id", 1)], "source_published_at"),
        ({"source": {"$in": ["36kr", "ithome"]}}, None, "source_published_at"),
        ({"category": "技术底座", **RANGE}, None, "category_published_at"),
        ({"cluster_id": "c-ds"}, [("published_at", 1)], "cluster_published_at"),
        ({"duplicate_of": "a57928554ed09ae3"}, None, "duplicate_of"),
    ],
)
def test_query_uses_its_index(archive: Store, query: dict[str, Any], sort: Any, index: str) -> None:
    plan = winning(archive, query, sort)
    assert f"IXSCAN({index})" in plan and "COLLSCAN" not in plan, plan


def test_planner_limits_that_search_works_around(archive: Store) -> None:
    """What SecantusDB does with the shapes reports.search avoids; if this fails, the planner improved."""
    assert "COLLSCAN" in winning(archive, {"tokens": {"$all": ["deepseek", "开源"]}})
    assert "COLLSCAN" in winning(archive, {"tokens": "deepseek", "source": "36kr"})


def test_stats_pipelines_read_the_range_from_the_index(archive: Store) -> None:
    period = Period(date(2026, 1, 15), date(2026, 1, 20))
    pipeline = [
        {"$match": period.query()},
        {"$unwind": "$keywords"},
        {"$group": {"_id": "$keywords", "n": {"$sum": 1}}},
    ]
    explained = archive.db.command("explain", {"aggregate": "articles", "pipeline": pipeline, "cursor": {}})
    text = json.dumps(explained, default=str)
    assert '"indexName": "published_at"' in text and "COLLSCAN" not in text
