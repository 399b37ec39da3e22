"""Per-source health figures: the pure figure-building, the store pipeline's counts, the run record."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from scrapy.utils.test import get_crawler

from crawler.dates import SHANGHAI
from crawler.extensions import record_part
from crawler.health import plain_stats, run_part, run_update, source_figures
from crawler.items import ArticleItem
from crawler.normalize import normalize_article
from crawler.pipelines.store import MongoStorePipeline
from crawler.store import Store

T0 = datetime(2026, 1, 20, 15, 0, tzinfo=SHANGHAI)
T1 = datetime(2026, 1, 20, 15, 2, tzinfo=SHANGHAI)


def test_source_figures_from_stats() -> None:
    stats = {
        "aidaily/source/ithome/found": 10,
        "aidaily/source/ithome/stored": 8,
        "aidaily/source/ithome/inserted": 5,
        "aidaily/source/ithome/updated": 1,
        "aidaily/source/ithome/unchanged": 2,
        "aidaily/source/ithome/dropped": 1,
        "aidaily/source/ithome/skipped": 1,
        "aidaily/source/ithome/with_title": 8,
        "aidaily/source/ithome/with_body": 8,
        "aidaily/source/ithome/with_published_at": 6,
        "aidaily/source/36kr/found": 3,
        "aidaily/source/36kr/skipped": 3,
        "aidaily/store/inserted": 5,
    }
    figures = source_figures(stats)
    assert figures["ithome"] == {
        "found": 10,
        "stored": 8,
        "inserted": 5,
        "updated": 1,
        "unchanged": 2,
        "dropped": 1,
        "skipped": 1,
        "coverage": {"title": 1.0, "body": 1.0, "published_at": 0.75},
    }
    assert figures["36kr"]["coverage"] == {"title": None, "body": None, "published_at": None}
    assert figures["36kr"]["skipped"] == 3 and figures["36kr"]["stored"] == 0
    assert list(figures) == ["36kr", "ithome"]


def test_run_update_merges_spiders_of_one_run() -> None:
    stats = {"aidaily/source/qbitai/found": 2, "start_time": T0, "bad.key": 1, "obj": object()}
    part = run_part(spider="qbitai", started_at=T0, finished_at=T1, finish_reason="finished", stats=stats)
    update = run_update(part)
    assert not [key for key in update["$set"] if key.startswith("sources")]  # derived after the merge
    assert update["$set"]["stats.qbitai"] == {"aidaily/source/qbitai/found": 2, "start_time": T0}
    assert update["$set"]["finish_reasons.qbitai"] == "finished"
    assert update["$min"] == {"started_at": T0} and update["$max"] == {"finished_at": T1}
    assert update["$addToSet"] == {"spiders": "qbitai"}
    assert plain_stats({"a.b": 1, "$x": 2, "ok": "y"}) == {"ok": "y"}


def test_two_spiders_merge_into_one_run_document(store: Store) -> None:
    # 36kr and 36kr_newsflash both feed source 36kr: its figures are the sum, not the last spider's
    for spider, source, found in (("ithome", "ithome", 4), ("36kr", "36kr", 7), ("36kr_newsflash", "36kr", 6)):
        part = run_part(
            spider=spider,
            started_at=T0,
            finished_at=T1,
            finish_reason="finished",
            stats={f"aidaily/source/{source}/found": found, f"aidaily/source/{source}/stored": 1},
        )
        record_part(store.runs, "run-1", part)
    doc = store.runs.find_one({"_id": "run-1"})
    assert doc is not None
    assert sorted(doc["spiders"]) == ["36kr", "36kr_newsflash", "ithome"]
    assert doc["sources"]["ithome"]["found"] == 4
    assert doc["sources"]["36kr"]["found"] == 13 and doc["sources"]["36kr"]["stored"] == 2
    assert doc["started_at"] == T0 and doc["finished_at"] == T1


def article(n: int, source: str, *, dated: bool) -> dict:
    item = ArticleItem(
        url=f"https://example.cn/{source}/{n}.html",
        source=source,
        title=f"第{n}篇：大模型推理成本继续下降",
        body="多家厂商本周下调了大模型API价格，推理成本继续走低。",
        published_at="2026-01-20 13:32" if dated else None,
    )
    return normalize_article(item, fetched_at=T0)


def test_store_pipeline_counts_per_source_outcomes_and_coverage(store: Store, mongo_uri: str, tmp_path: Path) -> None:
    def run(docs: list[dict]) -> dict:
        crawler = get_crawler(
            settings_dict={
                "MONGO_URI": mongo_uri,
                "MONGO_DATABASE": store.db.name,
                "AIDAILY_DATA_DIR": str(tmp_path),
                "MONGO_TIMEOUT_MS": 5000,
                "STORE_BATCH_SIZE": 50,
                "STORE_RETRY_AFTER_SECONDS": 30,
            }
        )
        crawler.stats.open_spider()
        pipeline = MongoStorePipeline.from_crawler(crawler)

        async def crawl() -> None:  # the pipeline runs on the crawl's event loop
            await pipeline.open_spider()
            for doc in docs:
                await pipeline.process_item(doc)
            await pipeline.close_spider()

        asyncio.run(crawl())
        return source_figures(crawler.stats.get_stats())

    first = run([article(1, "a", dated=True), article(2, "a", dated=False), article(1, "b", dated=True)])
    assert first["a"]["inserted"] == 2 and first["a"]["stored"] == 2
    assert first["a"]["coverage"] == {"title": 1.0, "body": 1.0, "published_at": 0.5}
    assert first["b"]["inserted"] == 1 and first["b"]["coverage"]["published_at"] == 1.0
    second = run([article(1, "a", dated=True), article(1, "b", dated=True)])
    assert second["a"]["unchanged"] == 1 and second["a"]["inserted"] == 0
    assert second["b"]["unchanged"] == 1
