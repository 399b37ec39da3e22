"""``aidaily enrich`` with the LLM gate of the event join, end to end against the local fake server.

Crawl-shaped articles go into MongoDB; ``aidaily enrich`` asks the fake model once per day which candidate pairs
are one event; the clusters it confirms are joined with ``joined_by: llm``; ``aidaily report`` then shows the
event once, naming its other sources; a rebuild is answered from the cache and makes no call.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from aidaily.cli.context import Context
from aidaily.cli.daily import DailyOutcome, enrich_stage, summary_lines
from aidaily.cli.progress import make_display
from crawler.store import Store
from enrich.llm import LLMConfig
from tests.enrich.conftest import load_articles
from tests.llm.fake_openai import FakeLLM
from tests.reports.cli import Cli, isolate_settings

GOLD = {"36kr-gold-1", "aibase-gold-2", "ithome-gold-3"}
TITLES = {"36kr-gold-1": "现货黄金日内涨超2%，续创历史新高", "aibase-gold-2": "金价再创新高：现货黄金盘中突破4700美元",
          "ithome-gold-3": "国际金价大涨，现货黄金刷新历史最高纪录"}  # fmt: skip
URLS = {"aibase-gold-2": "https://news.aibase.com/news/24001", "ithome-gold-3": "https://www.ithome.com/0/915/512.htm"}


@pytest.fixture
def cli(store: Store, mongo_uri: str, db_name: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    isolate_settings(monkeypatch, db_name)
    return Cli(mongo_uri)


@pytest.fixture
def event_llm() -> Iterator[FakeLLM]:
    server = FakeLLM(events=[set(GOLD)]).start()
    yield server
    server.stop()


def _clusters(store: Store) -> dict[str, dict[str, object]]:
    return {c["_id"]: c for c in store.collection("clusters").find()}


def test_llm_gate_joins_one_event_and_the_report_names_its_other_sources(
    cli: Cli, store: Store, event_llm: FakeLLM, tmp_path: Path
) -> None:
    store.articles.insert_many(load_articles())
    llm = ("--base-url", event_llm.base_url, "--model", "aidaily-test")
    first = cli("enrich", *llm)
    assert first.exit_code == 0, first.output
    assert event_llm.calls == 2  # one batched question per day: 2026-01-19 and 2026-01-20
    joined = r"event join: llm aidaily-test: 2 calls, 0 cache hits, 0 failed, 0 malformed, [1-9]\d* answers rejected"
    assert re.search(joined, first.output)
    gold = _clusters(store)["c36kr-gold-1"]
    assert gold["members"] == sorted(GOLD) and gold["sources"] == ["36kr", "aibase", "ithome"]
    assert gold["joined_by"] == {"36kr-gold-1": "seed", "aibase-gold-2": "llm", "ithome-gold-3": "llm"}
    assert store.articles.find_one({"_id": "36kr-byd"})["cluster_id"] == "c36kr-byd"  # type: ignore[index]
    run = store.collection("llm_runs").find_one({"task": "event_join"})
    assert run is not None and run["calls"] == 2 and run["cache_hits"] == 0

    out = tmp_path / "tracker.md"
    report = cli("report", "--date", "2026-01-20", "--style", "tracker", "--out", str(out))
    assert report.exit_code == 0, report.output
    text = out.read_text(encoding="utf-8")
    # One entry for the event: the earliest report leads, the two others are named as its other sources, once.
    assert text.count(TITLES["36kr-gold-1"]) == 1
    assert TITLES["aibase-gold-2"] not in text and TITLES["ithome-gold-3"] not in text
    seen = [line for line in text.splitlines() if "另见" in line and URLS["aibase-gold-2"] in line]
    assert len(seen) == 1 and URLS["ithome-gold-3"] in seen[0]
    assert text.count(URLS["aibase-gold-2"]) == text.count(URLS["ithome-gold-3"]) == 1

    before = _clusters(store)
    again = cli("enrich", "--since", "2026-01-19", "--until", "2026-01-20", *llm)
    assert again.exit_code == 0, again.output
    assert event_llm.calls == 2, "a rebuild must be answered from the cache"
    assert "event join: llm aidaily-test: 0 calls, 2 cache hits, 0 failed" in again.output
    assert _clusters(store) == before


def test_no_llm_keeps_the_offline_rule_and_makes_no_call(cli: Cli, store: Store, event_llm: FakeLLM) -> None:
    store.articles.insert_many(load_articles())
    result = cli("enrich", "--no-llm", "--base-url", event_llm.base_url, "--model", "aidaily-test")
    assert result.exit_code == 0, result.output
    assert event_llm.calls == 0 and "event join" not in result.output
    joined = {c["_id"]: c["joined_by"] for c in _clusters(store).values()}
    assert "llm" not in {gate for gates in joined.values() for gate in gates.values()}
    assert store.articles.find_one({"_id": "aibase-gold-2"})["cluster_id"] == "caibase-gold-2"  # type: ignore[index]


def test_daily_enrich_stage_uses_the_gate_and_its_summary_says_so(
    store: Store, event_llm: FakeLLM, db_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_settings(monkeypatch, db_name)
    settings = Context().settings
    store.articles.insert_many(load_articles())
    config = LLMConfig(base_url=event_llm.base_url, api_key="", model="aidaily-test", max_retries=0)
    outcome = DailyOutcome(day=date(2026, 1, 20), run_id="test")
    enrich_stage(store, settings, outcome, make_display(False), llm=True, config=config)
    assert event_llm.calls == 2 and outcome.join_llm is not None and outcome.join_llm["calls"] == 2
    assert store.articles.find_one({"_id": "ithome-gold-3"})["cluster_id"] == "c36kr-gold-1"  # type: ignore[index]
    lines = list(summary_lines(outcome, settings))
    assert any(line.startswith("event join: llm aidaily-test: 2 calls, 0 cache hits, 0 failed") for line in lines)
    off = DailyOutcome(day=date(2026, 1, 20), run_id="test-off")
    assert "event join: offline rule" in list(summary_lines(off, settings))
