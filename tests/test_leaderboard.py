"""The LM Arena leaderboard: crawl into ``leaderboard``, read back for reports, cross-checked with the CSV."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import LeaderboardSnapshotItem
from crawler.mirror import mirror_path
from crawler.pages.lmarena import parse_scores
from crawler.pipelines.leaderboard import LeaderboardPipeline
from crawler.spiders.lmarena import SCORES_URL
from crawler.store import Store
from reports.leaderboard import (
    Lab,
    Ranked,
    chinese_models,
    global_top,
    lab_of,
    latest_snapshot,
    load_labs,
    stale_days,
)
from tests.saved_pages import PROJECT_PAGES
from tests.shared_data import needs_shared, shared_path

SHARED = shared_path("fixtures", "lmarena")
AIDAILY = str(Path(sys.executable).with_name("aidaily"))
# The repository's own excerpt of the history (scripts/lmarena-excerpt): what the mirror serves.
EXCERPT = PROJECT_PAGES / mirror_path(SCORES_URL)


def snapshot(day: str, scores: dict[str, float]) -> LeaderboardSnapshotItem:
    [item] = parse_scores(json.dumps({day.replace("-", ""): {"text": {"overall": scores}}}), SCORES_URL)
    return item


def pipeline(mongo_uri: str, db_name: str, tmp_path: Path) -> LeaderboardPipeline:
    crawler = get_crawler(
        settings_dict={
            "MONGO_URI": mongo_uri,
            "MONGO_DATABASE": db_name,
            "AIDAILY_DATA_DIR": str(tmp_path),
            "MONGO_TIMEOUT_MS": 5000,
        }
    )
    crawler.stats.open_spider()
    return LeaderboardPipeline.from_crawler(crawler)


def test_pipeline_upserts_one_document_per_date_and_category(store: Store, mongo_uri: str, tmp_path: Path) -> None:
    first = pipeline(mongo_uri, store.db.name, tmp_path)
    items = [
        snapshot("2025-06-01", {"deepseek-r1": 1360.0, "gpt-4o": 1380.0}),
        snapshot("2025-06-02", {"qwen3": 1400.0}),
    ]
    for item in items:
        assert first.process_item(item) is item
    assert first.process_item({"content_hash": "x"}) == {"content_hash": "x"}  # articles pass through
    first.close_spider()
    doc = store.collection("leaderboard").find_one({"_id": "2025-06-01:text/overall"})
    assert doc is not None
    assert doc["date"] == "2025-06-01" and doc["category"] == "text/overall" and doc["source_url"] == SCORES_URL
    assert doc["entries"] == [
        {"model": "gpt-4o", "score": 1380.0, "rank": 1},
        {"model": "deepseek-r1", "score": 1360.0, "rank": 2},
    ]
    assert first.stats.get_value("aidaily/leaderboard/inserted") == 2

    again = pipeline(mongo_uri, store.db.name, tmp_path)
    again.process_item(items[0])
    again.process_item(snapshot("2025-06-02", {"qwen3": 1401.0}))
    again.close_spider()
    assert store.collection("leaderboard").count_documents({}) == 2
    assert again.stats.get_value("aidaily/leaderboard/unchanged") == 1
    assert again.stats.get_value("aidaily/leaderboard/updated") == 1
    assert store.collection("leaderboard").find_one({"_id": "2025-06-02:text/overall"})["entries"][0]["score"] == 1401.0
    index_keys = [list(ix["key"]) for ix in store.collection("leaderboard").list_indexes()]
    assert ["category", "date"] in index_keys


def test_reader_picks_the_latest_snapshot_on_or_before_the_report_day(
    store: Store, mongo_uri: str, tmp_path: Path
) -> None:
    p = pipeline(mongo_uri, store.db.name, tmp_path)
    p.process_item(snapshot("2025-06-01", {"gpt-4o": 1380.0, "deepseek-r1": 1360.0}))
    p.process_item(snapshot("2025-06-05", {"gpt-4o": 1381.0, "qwen3-235b": 1370.0, "yi-lightning": 1300.0}))
    p.close_spider()
    assert latest_snapshot(store, date(2025, 5, 31)) is None
    assert latest_snapshot(store, date(2025, 6, 1), category="vision/overall") is None
    snap = latest_snapshot(store, date(2025, 6, 4))
    assert snap is not None and snap.date == date(2025, 6, 1)
    assert stale_days(snap, date(2025, 6, 4)) == 3
    newest = latest_snapshot(store, date(2025, 6, 9))
    assert newest is not None and newest.date == date(2025, 6, 5)
    assert global_top(newest, n=2) == [Ranked(1, "gpt-4o", 1381.0), Ranked(2, "qwen3-235b", 1370.0)]
    assert chinese_models(newest, load_labs()) == [(2, "qwen3-235b", 1370.0), (3, "yi-lightning", 1300.0)]


@pytest.mark.parametrize(
    ("model", "lab"),
    [
        ("deepseek-v3", "深度求索 DeepSeek"),
        ("qwq-32b-preview", "阿里巴巴 通义千问"),
        ("qwen2.5-max", "阿里巴巴 通义千问"),
        ("chatglm3-6b", "智谱 GLM"),
        ("glm-4-plus", "智谱 GLM"),
        ("hunyuan-large-2025-02-10", "腾讯 混元"),
        ("kimi-k2-0711-preview", "月之暗面 Kimi"),
        ("moonshot-v1-8k", "月之暗面 Kimi"),
        ("doubao-1.5-pro-32k", "字节跳动 豆包"),
        ("abab6.5-chat", "MiniMax"),
        ("step-2-16k-exp-202412", "阶跃星辰 Step"),
        ("yi-1.5-34b-chat", "零一万物 Yi"),
        ("ernie-4.5-turbo", "百度 文心"),
        ("internlm2_5-20b-chat", "上海人工智能实验室 书生"),
        ("gpt-4o-2024-05-13", None),
        ("athene-v2-chat", None),
        ("gemini-2.0-flash-001", None),
    ],
)
def test_chinese_labs_by_model_name(model: str, lab: str | None) -> None:
    found = lab_of(model, load_labs())
    assert (found.name if found else None) == lab


def test_lab_prefix_needs_a_boundary_where_the_name_goes_on_in_letters() -> None:
    assert not Lab("零一万物 Yi", words=("yi",)).owns("yield-7b")
    assert Lab("通义千问", prefixes=("qwen",)).owns("qwen2.5-max")


def test_the_repository_keeps_its_own_excerpt_of_the_history() -> None:
    # A fresh clone has no ../shared: the mirror's file is a real file, read by the spider's parser.
    assert EXCERPT.is_file() and not EXCERPT.is_symlink()
    snapshots = parse_scores(EXCERPT.read_text(encoding="utf-8"), SCORES_URL)
    assert [s.date for s in snapshots] == ["2025-01-19", "2025-02-21", "2025-02-27"]
    newest = snapshots[-1]
    assert len(newest.entries) == 209
    assert newest.entries[0] == ("early-grok-3", pytest.approx(1403.4550352813053), 1)
    assert "deepseek-r1" in {model for model, _, _ in newest.entries if lab_of(model, load_labs())}


@needs_shared("fixtures", "lmarena", "scores.json")
def test_the_excerpt_is_the_shared_history_unchanged() -> None:
    history = json.loads((SHARED / "scores.json").read_text(encoding="utf-8"))
    excerpt = json.loads(EXCERPT.read_text(encoding="utf-8"))
    assert len(excerpt) >= 3
    assert {day: history[day] for day in excerpt} == excerpt


@needs_shared("fixtures", "lmarena")
@pytest.mark.parametrize("day", ["20241104", "20241222", "20250119", "20250227"])
def test_scores_json_agrees_with_the_csv(day: str) -> None:
    snapshots = {s.date: s for s in parse_scores((SHARED / "scores.json").read_text(encoding="utf-8"), SCORES_URL)}
    with (SHARED / "result.csv").open(encoding="utf-8") as f:
        rows = {row[""]: row for row in csv.DictReader(f)}
    expected = {model: float(v) for model, v in rows[day].items() if model and v and float(v) > 0}
    snap = snapshots[f"{day[:4]}-{day[4:6]}-{day[6:]}"]
    assert {model: score for model, score, _ in snap.entries} == pytest.approx(expected)
    assert [rank for _, _, rank in snap.entries][:3] == [1, 2, 3]


@needs_shared("fixtures", "lmarena", "scores.json")
@pytest.mark.slow
def test_crawl_through_scrapy_into_mongodb(mongo_uri: str, db_name: str, tmp_path: Path) -> None:
    # The shared file is served from a mirror folder made here, at the real URL's path, never from the repo.
    mirror = tmp_path / "mirror"
    target = mirror / mirror_path(SCORES_URL)
    target.parent.mkdir(parents=True)
    shutil.copyfile(SHARED / "scores.json", target)
    env = {**os.environ, "MONGO_DATABASE": db_name, "AIDAILY_DATA_DIR": str(tmp_path / "data")}
    for _ in range(2):
        result = subprocess.run(
            [AIDAILY, "--mongo-uri", mongo_uri, "crawl", "lmarena", "--mirror", str(mirror)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    with Store.open(mongo_uri, db_name=db_name) as store:
        assert store.collection("leaderboard").count_documents({}) == 29  # idempotent: the second crawl adds none
        snap = latest_snapshot(store, date(2025, 3, 1))
        assert snap is not None and snap.date == date(2025, 2, 27)
        assert snap.entries[0] == Ranked(1, "early-grok-3", pytest.approx(1403.4550352813053))
        top_chinese = chinese_models(snap, load_labs())
        assert top_chinese[0].model == "deepseek-r1"
        assert all(lab_of(r.model, load_labs()) for r in top_chinese) and len(top_chinese) == 10
        assert stale_days(snap, date(2025, 3, 1)) == 2
        run = store.runs.find_one({"spiders": "lmarena"})
        assert run is not None and run["stats"]["lmarena"]["aidaily/leaderboard/snapshots"] == 29
