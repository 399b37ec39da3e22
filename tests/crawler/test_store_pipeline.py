"""The store pipeline off the reactor: a writer thread, back-pressure, and exact counts under faults."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from crawler.dates import SHANGHAI
from crawler.items import ArticleItem
from crawler.normalize import normalize_article
from crawler.pipelines.store import MongoStorePipeline
from crawler.spool import Spool, encode
from crawler.store import Store
from crawler.writer import Figures
from tests.faults import no_space_under, readonly_folder
from tests.servers import MongoServerProcess, free_port

FETCHED = datetime(2026, 1, 20, 15, 0, tzinfo=SHANGHAI)


def doc(n: int) -> dict:
    item = ArticleItem(
        url=f"https://www.ithome.com/0/1/{n}.htm",
        source="ithome",
        title=f"智谱发布新一代模型（{n}）",
        body="智谱今天发布了新一代基座模型，在多项评测中领先。",
        published_at="2026-01-20 13:32",
    )
    return normalize_article(item, fetched_at=FETCHED)


def store_pipeline(uri: str, db_name: str, data_dir: Path, batch: int = 2, **settings: Any) -> MongoStorePipeline:
    crawler = get_crawler(
        settings_dict={
            "MONGO_URI": uri,
            "MONGO_DATABASE": db_name,
            "AIDAILY_DATA_DIR": str(data_dir),
            "MONGO_TIMEOUT_MS": 1500,
            "STORE_BATCH_SIZE": batch,
            "STORE_RETRY_AFTER_SECONDS": 0,
            **settings,
        }
    )
    crawler.stats.open_spider()
    return MongoStorePipeline.from_crawler(crawler)


def crawl(pipeline: MongoStorePipeline, items: Iterable[dict]) -> None:
    """Open, feed and close the pipeline on an event loop, as the crawl's reactor would."""

    async def run() -> None:
        await pipeline.open_spider()
        for item in items:
            await pipeline.process_item(item)
        await pipeline.close_spider()

    asyncio.run(run())


def dead_uri() -> str:
    return f"mongodb://127.0.0.1:{free_port()}/?directConnection=true"


def test_the_server_dying_mid_crawl_spools_the_rest_and_every_count_matches(tmp_path: Path, db_name: str) -> None:
    server = MongoServerProcess(tmp_path / "mongo").start()
    data_dir = tmp_path / "data"
    pipeline = store_pipeline(server.uri, db_name, data_dir)

    async def run() -> None:
        await pipeline.open_spider()
        for n in (1, 2):
            await pipeline.process_item(doc(n))
        await asyncio.wait([pipeline.flush()])  # written before the server dies
        server.kill()  # the database dies mid-crawl
        for n in (3, 4, 5):
            await pipeline.process_item(doc(n))
        await pipeline.close_spider()

    asyncio.run(run())
    stats = pipeline.stats
    assert stats.get_value("aidaily/store/inserted") == 2
    assert stats.get_value("aidaily/store/spooled") == 3
    assert stats.get_value("aidaily/store/unkept") is None
    assert len(Spool(data_dir / "spool")) == 3

    server.start()  # same data folder: it comes back with what it had
    with Store.open(server.uri, db_name=db_name) as store:
        assert store.articles.count_documents({}) == stats.get_value("aidaily/store/inserted")
    pipeline = store_pipeline(server.uri, db_name, data_dir)
    crawl(pipeline, [])  # the next crawl replays the spool first
    assert pipeline.stats.get_value("aidaily/store/replayed") == 3
    assert pipeline.stats.get_value("aidaily/store/inserted") == 3
    with Store.open(server.uri, db_name=db_name) as store:
        assert sorted(d["url"] for d in store.articles.find()) == [
            f"https://www.ithome.com/0/1/{n}.htm" for n in range(1, 6)
        ]
    assert len(Spool(data_dir / "spool")) == 0
    server.stop()


def test_one_batch_counts_per_source_and_coverage(mongo_uri: str, db_name: str, tmp_path: Path) -> None:
    pipeline = store_pipeline(mongo_uri, db_name, tmp_path / "data", batch=10)
    undated = normalize_article(
        ArticleItem(
            url="https://36kr.com/newsflashes/9", source="36kr", title="快讯标题", body="一段快讯正文，足够长。"
        ),
        fetched_at=FETCHED,
    )

    async def run() -> None:
        await pipeline.open_spider()
        await pipeline.process_item(doc(1))
        await asyncio.wait([pipeline.flush()])  # stored before: the same page again is unchanged
        for item in (doc(1), doc(2), undated, undated):
            await pipeline.process_item(item)
        await pipeline.close_spider()

    asyncio.run(run())
    value = pipeline.stats.get_value
    assert (value("aidaily/source/ithome/inserted"), value("aidaily/source/ithome/unchanged")) == (2, 1)
    assert value("aidaily/source/36kr/inserted") == 1 and value("aidaily/source/36kr/stored") == 1
    assert value("aidaily/source/36kr/with_published_at") is None and value("aidaily/source/36kr/with_body") == 1
    assert value("aidaily/store/inserted") == 3


def test_writes_run_on_the_writer_thread_and_the_crawl_waits_only_when_it_is_behind(
    mongo_uri: str, db_name: str, tmp_path: Path
) -> None:
    pipeline = store_pipeline(mongo_uri, db_name, tmp_path / "data", batch=1, STORE_MAX_PENDING_BATCHES=2)
    gate = threading.Event()
    threads: list[int] = []
    write = pipeline.writer.write

    def gated_write(batch: list[dict]) -> Figures:
        threads.append(threading.get_ident())
        gate.wait(60)
        return write(batch)

    pipeline.writer.write = gated_write  # type: ignore[method-assign]

    async def run() -> None:
        await pipeline.open_spider()
        loop_thread = threading.get_ident()
        assert await pipeline.process_item(doc(1)) == doc(1)  # batch 1 handed over, not written yet
        second = asyncio.ensure_future(pipeline.process_item(doc(2)))  # batch 2: two batches pending
        # The writer is held at the gate, so the second item cannot be through; the loop still runs.
        done, _ = await asyncio.wait([second], timeout=0.5)
        assert not done
        gate.set()
        assert await second == doc(2)
        await pipeline.close_spider()
        assert threads and loop_thread not in threads

    asyncio.run(run())
    assert pipeline.stats.get_value("aidaily/store/inserted") == 2


def test_database_down_and_spool_on_a_full_disk_fails_loudly_with_the_urls(
    tmp_path: Path, db_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "data"
    pipeline = store_pipeline(dead_uri(), db_name, data_dir, MONGO_TIMEOUT_MS=300, STORE_RETRY_AFTER_SECONDS=30)
    with caplog.at_level(logging.WARNING, logger="crawler.writer"), no_space_under(data_dir):
        crawl(pipeline, [doc(1), doc(2)])
    value = pipeline.stats.get_value
    assert value("aidaily/store/spooled") in (None, 0)  # never reported as spooled
    assert value("aidaily/store/unkept") == 2
    messages = [r.getMessage() for r in caplog.records]
    urls = [doc(n)["url"] for n in (1, 2)]
    assert [m for m in messages if m.startswith("held in memory: ")] == [f"held in memory: {u}" for u in urls]
    assert [m for m in messages if m.startswith("not kept: ")] == [f"not kept: {u}" for u in urls]


def test_database_down_and_spool_read_only_counts_every_article(tmp_path: Path, db_name: str) -> None:
    with readonly_folder(tmp_path / "ro") as data_dir:
        pipeline = store_pipeline(dead_uri(), db_name, data_dir, MONGO_TIMEOUT_MS=300, STORE_RETRY_AFTER_SECONDS=30)
        crawl(pipeline, [doc(n) for n in range(1, 5)])
    value = pipeline.stats.get_value
    assert value("aidaily/store/unkept") == 4  # found 4: none vanishes uncounted
    assert value("aidaily/store/spooled") in (None, 0)


def test_held_articles_reach_the_spool_once_it_can_be_written_again(tmp_path: Path, db_name: str) -> None:
    data_dir = tmp_path / "data"
    pipeline = store_pipeline(dead_uri(), db_name, data_dir, MONGO_TIMEOUT_MS=300, STORE_RETRY_AFTER_SECONDS=30)

    async def run() -> None:
        await pipeline.open_spider()
        with no_space_under(data_dir):
            for n in (1, 2):
                await pipeline.process_item(doc(n))
            await asyncio.wait([pipeline.flush()])  # held in memory: neither database nor spool
        for n in (3, 4):  # space again
            await pipeline.process_item(doc(n))
        await pipeline.close_spider()

    asyncio.run(run())
    assert pipeline.stats.get_value("aidaily/store/spooled") == 4
    assert pipeline.stats.get_value("aidaily/store/unkept") is None
    got: list[dict] = []
    Spool(data_dir / "spool").replay(got.extend)
    assert sorted(d["url"] for d in got) == sorted(doc(n)["url"] for n in range(1, 5))


def test_a_spool_cut_by_a_crash_does_not_stop_the_next_crawl(mongo_uri: str, db_name: str, tmp_path: Path) -> None:
    spool = Spool(tmp_path / "data" / "spool")
    spool.append([doc(n) for n in range(1, 8)])
    with spool.path.open("ab") as fh:
        fh.write(encode(doc(8))[:-40])  # the last line, cut by a crash mid-write
    pipeline = store_pipeline(mongo_uri, db_name, tmp_path / "data")
    crawl(pipeline, [doc(9)])
    value = pipeline.stats.get_value
    assert (value("aidaily/store/replayed"), value("aidaily/spool/quarantined")) == (7, 1)
    assert value("aidaily/store/inserted") == 8
    with Store.open(mongo_uri, db_name=db_name) as store:
        assert store.articles.count_documents({}) == 8
