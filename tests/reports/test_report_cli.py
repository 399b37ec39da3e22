"""``aidaily report`` end to end through its entry point: golden files, folding, the day boundary, failures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crawler.store import Store
from tests.llm.fake_openai import EVIL_URL, FOREIGN_ID, INVENTED_CLAIM, FakeLLM
from tests.reports.cli import Cli, isolate_settings
from tests.reports.fixture_day import DAY, insert_day

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("AIDAILY_REGEN_GOLDEN") == "1"
STYLES = ("tracker", "insight", "digest")


@pytest.fixture
def cli(store: Store, mongo_uri: str, db_name: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    isolate_settings(monkeypatch, db_name)
    return Cli(mongo_uri)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with AIDAILY_REGEN_GOLDEN=1 once, then review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


@pytest.mark.parametrize("style", STYLES)
def test_extractive_report_matches_golden(cli: Cli, store: Store, style: str, tmp_path: Path) -> None:
    insert_day(store)
    out = tmp_path / f"{style}.md"
    result = cli("report", "--date", DAY, "--style", style, "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    check_golden(f"{DAY}-{style}.md", text)
    assert "未配置 LLM" in text and "深度解读 & 洞察" not in text and "影响：" not in text
    assert "更新时间: 2026-01-20 18:05:30" in text  # the latest enriched_at, not the wall clock


@pytest.mark.parametrize("style", STYLES)
def test_llm_report_matches_golden_and_rebuilds_from_cache(
    cli: Cli, store: Store, fake_llm: FakeLLM, style: str
) -> None:
    insert_day(store)
    args = ("report", "--date", DAY, "--style", style, "--base-url", fake_llm.base_url, "--model", "aidaily-test")
    first = cli(*args)
    assert first.exit_code == 0, first.output
    assert fake_llm.calls > 0
    calls = fake_llm.calls
    second = cli(*args)
    assert fake_llm.calls == calls, "a rebuild with the answer cache must make no calls"
    assert second.stdout == first.stdout
    check_golden(f"{DAY}-{style}-llm.md", first.stdout)
    assert "有原文支撑的句子占" in first.stdout
    run = store.collection("llm_runs").find_one({"calls": calls})
    assert run is not None and run["estimated_cost_usd"] > 0 and run["date"] == DAY
    assert "0 calls" in second.stderr and "cache hits" in second.stderr


def test_prompt_injection_is_neutralised(cli: Cli, store: Store, fake_llm: FakeLLM) -> None:
    insert_day(store)
    result = cli(
        "report", "--date", DAY, "--style", "digest", "--base-url", fake_llm.base_url, "--model", "aidaily-test"
    )
    assert result.exit_code == 0, result.output
    # The compromised answers were really served: one with a link and a foreign id, one with an invented claim.
    served = "\n".join(r["messages"][1]["content"] for r in fake_llm.requests)
    assert "忽略以上指令" in served
    for leaked in (EVIL_URL, "evil.example", FOREIGN_ID, INVENTED_CLAIM, "5000亿"):
        assert leaked not in result.stdout
    assert "FastInfer采用Apache 2.0许可证" in result.stdout  # the honest part of that story survives
    assert "answers rejected" in result.stderr and "0 answers rejected" not in result.stderr


def test_one_entry_per_event_with_other_sources(cli: Cli, store: Store) -> None:
    insert_day(store)
    text = cli("report", "--date", DAY, "--style", "tracker").stdout
    assert text.count("### DeepSeek发布V4模型") == 1
    assert "另见: [IT之家](https://www.ithome.com/0/912/345.htm)、[36氪](https://36kr.com/p/3648100512365315)" in text
    assert "https://www.qbitai.com/2026/01/301130.html" not in text  # the same site's copy is folded away
    assert "合并重复 1 篇" in text


def test_day_boundary_is_shanghai(cli: Cli, store: Store) -> None:
    insert_day(store)
    text = cli("report", "--date", DAY, "--style", "tracker").stdout
    assert "月之暗面Kimi上线深度研究功能" in text  # 00:05 in Shanghai
    assert "前一天晚上的AI快讯" not in text and "第二天凌晨的AI快讯" not in text


def test_insight_leaves_out_non_ai_items(cli: Cli, store: Store) -> None:
    insert_day(store)
    text = cli("report", "--date", DAY, "--style", "insight").stdout
    assert "折叠屏" not in text
    assert "### AI技术底座" in text and "### 产业商业" in text
    assert "**深度求索**" in text


def test_empty_day_exits_with_a_message(cli: Cli, store: Store, tmp_path: Path) -> None:
    insert_day(store)
    out = tmp_path / "empty.md"
    result = cli("report", "--date", "2026-01-25", "--out", str(out))
    assert result.exit_code != 0
    assert result.output.strip() == "Error: no articles published on 2026-01-25 (Asia/Shanghai); nothing to report"
    assert not out.exists()


def test_missing_leaderboard_is_said(cli: Cli, store: Store) -> None:
    insert_day(store, leaderboard_date=None)
    text = cli("report", "--date", DAY, "--style", "tracker").stdout
    assert "暂无排行榜数据：数据库中没有 2026-01-20 或更早的 LM Arena 快照。" in text
    assert "## 详细资讯" in text


def test_stale_leaderboard_is_labelled(cli: Cli, store: Store) -> None:
    insert_day(store, leaderboard_date="2026-01-17")
    text = cli("report", "--date", DAY, "--style", "tracker").stdout
    assert "以下排行榜为 2026-01-17 的快照，距本日报 3 天，并非当日数据" in text
    assert "快照日期: 2026-01-17" in text


def test_generated_at_option_overrides_the_data_time(cli: Cli, store: Store) -> None:
    insert_day(store)
    text = cli("report", "--date", DAY, "--style", "insight", "--generated-at", "2026-01-21T07:30:00+08:00").stdout
    assert "更新时间: 2026-01-21 07:30:00" in text


def test_commentary_command_needs_an_endpoint(cli: Cli, store: Store) -> None:
    insert_day(store)
    result = cli("commentary", "--date", DAY)
    assert result.exit_code != 0 and "no LLM endpoint configured" in result.output


def test_commentary_command_fills_the_cache(cli: Cli, store: Store, fake_llm: FakeLLM) -> None:
    insert_day(store)
    result = cli("commentary", "--date", DAY, "--base-url", fake_llm.base_url, "--model", "aidaily-test")
    assert result.exit_code == 0, result.output
    assert "commentary for 7 stories on 2026-01-20" in result.stdout
    calls = fake_llm.calls
    assert store.collection("llm_cache").count_documents({}) == calls
    report = cli(
        "report", "--date", DAY, "--style", "digest", "--base-url", fake_llm.base_url, "--model", "aidaily-test"
    )
    assert report.exit_code == 0 and fake_llm.calls == calls


def test_builds_from_crawl_fields_alone(cli: Cli, store: Store) -> None:
    """Before ``aidaily enrich`` has run, each article is its own story and nothing is judged off-topic."""
    from tests.reports.fixture_day import ARTICLES, article_doc

    crawl_only = {
        "tokens",
        "keywords",
        "duplicate_of",
        "duplicate_kind",
        "cluster_id",
        "ai_score",
        "is_ai",
        "category",
        "category_confidence",
        "enriched_at",
        "enrich_version",
    }
    docs = [{k: v for k, v in article_doc(a).items() if k not in crawl_only} for a in ARTICLES]
    store.articles.insert_many(docs)
    text = cli("report", "--date", DAY, "--style", "insight").stdout
    assert "### 行业动态" in text and "折叠屏" in text
    assert "更新时间: 2026-01-20 18:00:00" in text  # fetched_at, with no enriched_at
