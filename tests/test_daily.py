"""``aidaily daily`` end to end against the mirror, and the health judgement behind its flags."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pymongo import MongoClient
from scrapy.settings import Settings

from aidaily.cli import main
from aidaily.cli.verdict import DailyOutcome, summary_lines
from crawler.dates import SHANGHAI
from crawler.health import health_flags, merged_sources, source_figures
from crawler.runlog import report_flags
from crawler.store import Store
from enrich.commentary import Commentator
from reports.build import build_document, generated_time, render, write_commentary
from reports.model import load_day
from tests.saved_pages import PROJECT_PAGES
from tests.servers import MongoServerProcess, free_port
from tests.summary_lines import assert_every_line_adds_up

DAY = "2026-01-20"
STYLES = ("tracker", "insight", "digest")
KNOWN = json.loads((PROJECT_PAGES / "www.oschina.net/news/391234.expected.json").read_text(encoding="utf-8"))
GHOST_FLAG = "ghost: 0 篇，解析规则疑似失效"


def daily(uri: str, db_name: str, data_dir: Path, out: Path, *, day: str = DAY) -> Result:
    args = ["--mongo-uri", uri, "--data-dir", str(data_dir), "daily", "--mirror", str(PROJECT_PAGES)]
    args += ["--date", day, "--out", str(out), "--no-llm"]
    return CliRunner().invoke(main, args, env={"MONGO_DATABASE": db_name, "MONGO_TIMEOUT_MS": "3000"})


def snapshot(client: MongoClient, db_name: str) -> dict[str, Any]:
    db = client[db_name]
    return {
        "articles": {d["_id"]: d for d in db.articles.find()},
        "clusters": {d["_id"]: d for d in db.clusters.find()},
        "runs": list(db.crawl_runs.find(sort=[("started_at", 1)])),
    }


def reports(out: Path) -> dict[str, str]:
    return {style: (out / f"{DAY}-{style}.md").read_text(encoding="utf-8") for style in STYLES}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, mongo_server: MongoServerProcess) -> dict[str, Any]:
    """Three daily runs on one database: a first, a second with nothing new, a third after a source vanished."""
    db_name, data_dir, out = "daily_e2e", tmp_path_factory.mktemp("data"), tmp_path_factory.mktemp("reports")
    client: MongoClient = MongoClient(mongo_server.uri, tz_aware=True, tzinfo=SHANGHAI)
    client.drop_database(db_name)
    found: dict[str, Any] = {}
    for name in ("first", "second"):
        result = daily(mongo_server.uri, db_name, data_dir, out)
        assert result.exit_code == 0, f"{name} run: {result.output}{result.exception!r}"
        found[name] = {"result": result, "db": snapshot(client, db_name), "reports": reports(out)}
    # An earlier run in which the ithome spider also fed a source "ghost": today it gave nothing.
    first_run = found["first"]["db"]["runs"][0]
    client[db_name].crawl_runs.insert_one({
        "_id": "20260101T000000-000000",
        "started_at": first_run["started_at"] - timedelta(days=1),
        "spiders": ["ithome"],
        "finish_reasons": {"ithome": "finished"},
        "stats": {"ithome": {"aidaily/source/ghost/found": 6, "aidaily/source/ghost/stored": 6}},
    })  # fmt: skip
    result = daily(mongo_server.uri, db_name, data_dir, out)
    found["third"] = {"result": result, "db": snapshot(client, db_name), "reports": reports(out)}
    found["empty_day"] = daily(mongo_server.uri, db_name, data_dir, out, day="2025-06-01")
    client.drop_database(db_name)
    client.close()
    return found


def test_first_run_crawls_enriches_and_writes_three_reports(runs: dict[str, Any]) -> None:
    result, db, texts = runs["first"]["result"], runs["first"]["db"], runs["first"]["reports"]
    assert result.exit_code == 0, result.output
    articles = db["articles"]
    assert KNOWN["article"]["url"] in {d["url"] for d in articles.values()}
    assert all(d.get("enriched_at") and d.get("cluster_id") for d in articles.values())
    assert "## 今日要点" in texts["tracker"] and "## 详细资讯" in texts["tracker"]
    assert "## **今日AI资讯**" in texts["insight"]
    assert "## 技术底座" in texts["digest"]
    # the leaderboard comes from the repository's own LM Arena excerpt: a clone without ../shared has it
    assert "| 1 | early-grok-3 | 1403 |" in texts["tracker"] and "以下排行榜为 2025-02-27 的快照" in texts["tracker"]
    for text in texts.values():
        assert KNOWN["article"]["title"] in text
        assert "本日报由 aidaily 自动生成" in text and "数据源健康检查" not in text
    output = result.output
    assert "  开源中国 (oschina): found 3, new 3," in output
    # the demo mirror answers every link (tests/fixtures/README.md): no source line counts a failed request
    # the API and the feed list the same 4 articles: each is found once
    assert "  机器之心 (jiqizhixin): found 4, new 4, updated 0, unchanged 0; api_fallback 2" in output
    assert "requests failed" not in output
    assert (
        "  新智元 (aiera): found 5, new 3, updated 0, unchanged 0, dropped 2 (wechat_deleted 1, wechat_verify 1)"
        in output
    )
    assert "health: ok" in output and "llm: off (--no-llm)" in output
    assert f"clusters of {DAY}: " in output and "exit status 0" in output
    for style in STYLES:
        assert f"{DAY}-{style}.md" in output
    assert "[crawl] 10/10" in output  # plain progress lines: the runner's stdout is no terminal
    run = db["runs"][0]
    assert run["date"] == DAY and run["health_flags"] == []


def test_every_source_line_adds_up_on_the_first_and_the_second_run(runs: dict[str, Any]) -> None:
    first = assert_every_line_adds_up(runs["first"]["result"].output)
    second = assert_every_line_adds_up(runs["second"]["result"].output)
    assert len(first) >= 7 and first.keys() == second.keys()
    by_source: dict[str, int] = {}
    for doc in runs["first"]["db"]["articles"].values():
        by_source[doc["source"]] = by_source.get(doc["source"], 0) + 1
    for label, counts in first.items():
        source = label.rsplit("(", 1)[1].rstrip(")")
        # 36氪's 快讯 spider and its feed spider both list one 快讯: found by each, new once (then unchanged
        # or already stored, whichever spider comes second)
        listed_twice = 1 if source == "36kr" else 0
        assert counts["new"] == by_source[source], label
        assert counts["found"] == by_source[source] + counts.get("dropped", 0) + listed_twice, label
    for label, counts in second.items():
        # the same lists: every link stored the first time is already stored, the rest dropped again
        assert counts["found"] == first[label]["found"], label
        assert counts.get("already stored", 0) + counts.get("dropped", 0) == counts["found"], label
    assert "  36氪 (36kr): found 11, new 0, updated 0, unchanged 0, already stored 10, dropped 1 (deleted 1)" in (
        runs["second"]["result"].output.splitlines()
    )


def test_second_run_fetches_no_stored_article_and_changes_nothing(runs: dict[str, Any]) -> None:
    first, second = runs["first"], runs["second"]
    assert second["result"].exit_code == 0, second["result"].output
    assert second["db"]["articles"] == first["db"]["articles"]
    assert second["db"]["clusters"] == first["db"]["clusters"]
    assert second["reports"] == first["reports"]
    before, after = first["db"]["runs"][0], second["db"]["runs"][1]
    stored_before = merged_sources(before)
    for source, figures in merged_sources(after).items():
        assert figures["found"] == stored_before[source]["found"], source
        assert figures["stored"] == 0, f"{source}: an article was fetched and stored again"
    for spider, stats in after["stats"].items():
        stored = sum(f["stored"] for f in source_figures(before["stats"][spider]).values())
        assert stats.get("aidaily/incremental/skipped", 0) >= stored, spider
    assert "new 0, updated 0, unchanged 0" in second["result"].output
    assert f"clusters of {DAY}: 0 new / " in second["result"].output


def test_a_vanished_source_is_flagged_in_summary_exit_status_and_footer(runs: dict[str, Any]) -> None:
    result, texts = runs["third"]["result"], runs["third"]["reports"]
    assert result.exit_code == 1, result.output
    assert "health: 1 flag(s)" in result.output and f"  ! {GHOST_FLAG}" in result.output
    for style, text in texts.items():
        assert f"数据源健康检查: {GHOST_FLAG}。" in text
        assert text.replace(f"*数据源健康检查: {GHOST_FLAG}。*\n\n", "") == runs["second"]["reports"][style]
    run = runs["third"]["db"]["runs"][-1]
    assert [f["kind"] for f in run["health_flags"]] == ["zero_found"]


def test_a_day_without_articles_fails_the_run(runs: dict[str, Any]) -> None:
    result = runs["empty_day"]
    assert result.exit_code == 2, result.output
    assert "error: no articles published on 2025-06-01 (Asia/Shanghai); no report written" in result.output
    assert "reports: none" in result.output and "exit status 2" in result.output


# --- the judgement, as a pure function -----------------------------------------------------------


def run_doc(spider: str, source: str, *, found: int, stored: int = 0, with_body: int | None = None) -> dict:
    body = stored if with_body is None else with_body
    stats = {f"aidaily/source/{source}/{k}": v for k, v in {"found": found, "stored": stored}.items()}
    if stored:
        stats |= {f"aidaily/source/{source}/with_title": stored, f"aidaily/source/{source}/with_body": body,
                  f"aidaily/source/{source}/with_published_at": stored}  # fmt: skip
    return {"spiders": [spider], "finish_reasons": {spider: "finished"}, "stats": {spider: stats}}


NAMES = {"qbitai": "量子位"}
HISTORY = [run_doc("qbitai", "qbitai", found=9, stored=8, with_body=b) for b in (8, 8, 7, 8, 8)]


def test_zero_found_is_flagged_with_the_source_name() -> None:
    flags = health_flags(run_doc("qbitai", "qbitai", found=0), HISTORY, margin=0.2, names=NAMES)
    assert [(f.source, f.kind, f.message) for f in flags] == [
        ("qbitai", "zero_found", "量子位: 0 篇，解析规则疑似失效")
    ]


def test_a_source_missing_from_its_spiders_run_counts_as_zero() -> None:
    current = {"spiders": ["qbitai"], "finish_reasons": {"qbitai": "finished"}, "stats": {"qbitai": {}}}
    flags = health_flags(current, HISTORY, margin=0.2, names=NAMES)
    assert [f.kind for f in flags] == ["zero_found"]
    assert health_flags(current, HISTORY, margin=0.2, expected_spiders=["ithome"])[0].kind == "failed"


def test_coverage_below_the_usual_level_is_flagged() -> None:
    flags = health_flags(run_doc("qbitai", "qbitai", found=9, stored=8, with_body=4), HISTORY, margin=0.2, names=NAMES)
    assert [(f.kind, f.field, f.value, f.usual) for f in flags] == [("coverage", "body", 0.5, 1.0)]
    assert flags[0].message == "量子位: 正文覆盖率 50%（通常 100%），解析规则疑似失效"


def test_normal_and_incremental_runs_are_not_flagged() -> None:
    normal = run_doc("qbitai", "qbitai", found=9, stored=8, with_body=7)
    incremental = run_doc("qbitai", "qbitai", found=9, stored=0)  # nothing new: found counts list links
    small = run_doc("qbitai", "qbitai", found=9, stored=1, with_body=0)  # too few articles to judge
    for current in (normal, incremental, small):
        assert health_flags(current, HISTORY, margin=0.2, names=NAMES) == []
    assert health_flags(normal, [], margin=0.2) == []
    crashed = normal | {"finish_reasons": {"qbitai": "shutdown"}}
    assert [f.message for f in health_flags(crashed, HISTORY, margin=0.2)] == ["qbitai: 爬虫异常结束（shutdown）"]


def test_footer_shows_the_flags_of_the_latest_run_judged_for_the_day(store: Store) -> None:
    published = datetime(2026, 1, 20, 10, 0, tzinfo=SHANGHAI)
    store.articles.insert_one({
        "_id": "a1", "url": "https://www.qbitai.com/2026/01/1.html", "source": "qbitai", "source_name": "量子位",
        "kind": "article", "title": "国产大模型推理成本继续下降", "body": "多家厂商下调API价格。\n推理成本继续走低。",
        "summary": "多家厂商下调API价格。", "published_at": published, "fetched_at": published,
    })  # fmt: skip
    started = datetime(2026, 11, 25, 8, 0, tzinfo=SHANGHAI)
    flagged = "量子位: 0 篇，解析规则疑似失效"
    store.runs.insert_many([
        {"_id": "r1", "date": "2026-01-19", "started_at": started, "health_flags": [{"message": "旧的"}]},
        {"_id": "r2", "date": "2026-01-20", "started_at": started, "health_flags": [{"message": flagged}]},
        {"_id": "r3", "date": "2026-01-21", "started_at": started, "health_flags": [{"message": "以后的"}]},
    ])  # fmt: skip
    assert report_flags(store, date(2026, 1, 20)) == [flagged]
    assert report_flags(store, date(2026, 1, 18)) == []
    day = load_day(store, date(2026, 1, 20))
    notes = write_commentary(day, Commentator(None), deep=6)
    text = render(build_document("digest", day, notes, None, generated_time(day, None), deep=6), "md")
    assert "*数据源健康检查: 量子位: 0 篇，解析规则疑似失效。*" in text
    unflagged = render(
        build_document("digest", replace(day, health=()), notes, None, generated_time(day, None), deep=6), "md"
    )
    assert "数据源健康检查" not in unflagged


# --- a run that cannot be healthy: no database, no network -------------------------------------------------


def test_with_the_database_down_daily_says_so_and_never_health_ok(tmp_path: Path) -> None:
    closed = f"mongodb://127.0.0.1:{free_port()}/?directConnection=true"
    result = CliRunner().invoke(
        main,
        ["--mongo-uri", closed, "--data-dir", str(tmp_path), "daily", "--mirror", str(PROJECT_PAGES), "--no-llm"],
        env={"MONGO_TIMEOUT_MS": "1000"},
    )
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    database = [line for line in lines if line.startswith("database: ")]
    assert database and database[0].startswith("database: UNREACHABLE — 127.0.0.1:")
    assert "Connection refused; nothing crawled" in database[0] and "Topology" not in result.output
    assert [line for line in lines if line.startswith("health: ")] == [
        f"health: FAILED — not judged: database unreachable ({database[0].split(' — ', 1)[1].split(';')[0]})"
    ]
    assert "health: ok" not in result.output and lines[-1] == "exit status 2"
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.slow
def test_with_no_network_every_source_fails_on_screen_and_the_run_fails(
    mongo_server: MongoServerProcess, tmp_path: Path
) -> None:
    # Every request goes to a host whose DNS lookup fails on this machine (.invalid): the network is "down".
    db_name = "daily_no_network"
    args = ["--mongo-uri", mongo_server.uri, "--data-dir", str(tmp_path), "daily", "--date", DAY, "--no-llm"]
    env = {"MONGO_DATABASE": db_name, "AIDAILY_MIRROR_URL": "http://mirror.invalid"}
    result = CliRunner().invoke(main, args, env=env)
    MongoClient(mongo_server.uri).drop_database(db_name)
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert "  IT之家 (ithome): FAILED — 0/1 requests answered (DNS lookup failed) — is the network down?" in lines
    kr36 = [line for line in lines if line.startswith("  ! 36氪: 0/")]  # its feed, AI channel and 快讯 list
    assert len(kr36) == 1
    assert re.fullmatch(r"  ! 36氪: 0/\d+ requests answered \(DNS lookup failed\) — is the network down\?", kr36[0])
    assert "  ! no source answered a single request — is the network down?" in lines
    assert "health: ok" not in result.output and lines[-1] == "exit status 2"


def test_a_database_lost_after_the_crawl_is_reported_with_the_spooled_articles(tmp_path: Path) -> None:
    outcome = DailyOutcome(day=date(2026, 1, 20), run_id="r1", crawled=True, judged=False)
    outcome.database, outcome.spool_pending = "127.0.0.1:27017: [Errno 111] Connection refused", 3
    outcome.spool_path = tmp_path / "spool" / "pending.jsonl"
    lines = list(summary_lines(outcome, Settings()))
    assert "database: UNREACHABLE — 127.0.0.1:27017: [Errno 111] Connection refused" in lines
    assert (
        "health: FAILED — not judged: database unreachable (127.0.0.1:27017: [Errno 111] Connection refused)" in lines
    )
    assert (
        f"  ! 3 articles wait in the spool {outcome.spool_path} (not in MongoDB yet); `aidaily replay` writes them"
        in (lines)
    )
    assert lines[-1] == "exit status 2" and outcome.exit_code == 2
    spooled_only = DailyOutcome(day=date(2026, 1, 20), run_id="r2", crawled=True, judged=True, spool_pending=1)
    assert spooled_only.exit_code == 1 and "health: FAILED — 1 problem(s)" in summary_lines(spooled_only, Settings())


def test_articles_lost_by_the_store_are_a_problem_of_the_run() -> None:
    run = one_spider_run_doc({"aidaily/store/unkept": 2, "aidaily/spool/quarantined": 1})
    outcome = DailyOutcome(day=date(2026, 1, 20), run_id="r3", crawled=True, judged=True, run=run)
    lines = list(summary_lines(outcome, Settings()))
    assert "  store: spool/quarantined 1, store/unkept 2" in lines
    assert "health: FAILED — 1 problem(s)" in lines and outcome.exit_code == 1
    assert any(line.startswith("  ! 2 articles were neither stored nor spooled") for line in lines)


def one_spider_run_doc(stats: dict[str, int]) -> dict[str, Any]:
    return {"spiders": ["ithome"], "finish_reasons": {"ithome": "finished"}, "stats": {"ithome": stats}}


def test_a_source_whose_list_failed_to_parse_has_its_line() -> None:
    run = {"spiders": ["oschina"], "finish_reasons": {"oschina": "finished"},
           "stats": {"oschina": {"aidaily/fetch/oschina/requests": 1, "aidaily/fetch/oschina/answered": 1,
                                 "aidaily/list/failed/no_list": 1}}}  # fmt: skip
    outcome = DailyOutcome(day=date(2026, 1, 20), run_id="r4", crawled=True, judged=True, run=run)
    assert "  oschina: nothing stored (list no_list 1)" in list(summary_lines(outcome, Settings()))
