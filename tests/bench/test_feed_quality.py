"""The feed weeks: how their items are rebuilt from the aggregator's history, the new dev weeks' labels, the gates."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bench.feed_quality import FEEDS, GateResult, feed_articles, gate_table, gate_v1
from bench.feed_weeks import feed_items
from enrich.pairgate import Pair


def _post(url: str, title: str, summary: str, created: str, source: str = "36氪") -> dict[str, str]:
    return {"url": url, "title": title, "summary": summary, "created_at": created, "source": source}


def test_items_are_the_union_of_versions_with_one_copy_of_each_newsflash() -> None:
    first = {
        "posts": [
            _post("https://36kr.com/newsflashes/77?f=rss", "智谱发布GLM-5.3", "短", "2026-08-17T01:00:00.123Z"),
            _post("https://example.com/en", "OpenAI ships", "English", "2026-08-17T02:00:00.000Z", "TechCrunch"),
        ],
        "flashes": [{"url": "https://readhub.cn/topic/x", "content": "DeepSeek 调价生效 — 峰谷分时定价",
                     "source": "Readhub", "created_at": "2026-08-17T03:00:00.000Z"}],
    }  # fmt: skip
    later = {
        "posts": [
            _post("https://36kr.com/newsflashes/77?f=rss", "改过的标题", "短", "2026-08-17T01:30:00.000Z"),
            _post("https://www.36kr.com/newsflashes/77", "智谱发布GLM-5.3", "更长的导语", "2026-08-17T01:30:00.000Z"),
        ]
    }
    items = feed_items([first, later])
    assert [i["url"] for i in items] == ["https://www.36kr.com/newsflashes/77", "https://readhub.cn/topic/x"]
    flash, topic = items
    assert flash["id"] == "2026-08-17-000" and flash["source"] == "36kr_newsflash" and flash["lead"] == "更长的导语"
    assert flash["published_at"] == "2026-08-17T09:30+08:00"  # the time of the last version, Shanghai
    assert topic["title"] == "DeepSeek 调价生效" and topic["lead"] == "峰谷分时定价" and topic["source"] == "readhub"


@pytest.mark.parametrize("week", ["dev-0723", "dev-0817"])
def test_the_new_dev_weeks_are_single_reader_events_inside_each_file(week: str) -> None:
    rows = [json.loads(line) for line in (FEEDS / f"{week}.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(r["gold"] == r["event"] and "event_b" not in r for r in rows)
    assert all(r["id"].startswith(r["published_at"][:10]) for r in rows) and len({r["id"] for r in rows}) == len(rows)
    sizes = Counter(r["gold"] for r in rows)
    assert all(n == 1 for e, n in sizes.items() if e.startswith("own-"))  # an own- id is an item alone
    assert all(n > 1 for e, n in sizes.items() if not e.startswith("own-"))  # a named event has several items
    docs, gold = feed_articles(week)
    assert len(docs) == len(gold) == len(rows)


def test_the_first_rule_is_replayed_on_todays_pairs() -> None:
    close = Pair(query=1, pool=0, title_sim=0.65, full_sim=0.3, shared=(), rare=0.0, blocked=())
    assert gate_v1(close) and not gate_v1(Pair(query=1, pool=0, title_sim=0.5, full_sim=0.3, shared=(), rare=0.0,
                                               blocked=()))  # fmt: skip
    assert not gate_v1(
        Pair(query=1, pool=0, title_sim=0.9, full_sim=0.9, shared=(), rare=0.0, blocked=(), roundup=True)
    )


def test_the_gate_table_puts_all_singletons_and_the_margin_beside_each_gate() -> None:
    lines = gate_table([GateResult("test", "v3 (pair model)", 0.95, 0.6, 100, 160, 0.97, 0.918, 828)])
    assert lines[2] == "| test (828) | v3 (pair model) | 0.950 | 0.600 | 100 / 160 | 0.970 | 0.918 | +0.052 |"
