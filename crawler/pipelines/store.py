"""Store article documents in MongoDB in batches, on a writer thread; spool what cannot be written."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.spool import Spool
from crawler.store import StoreConfig
from crawler.writer import UNKEPT, ArticleWriter, Figures, count_sources

logger = logging.getLogger(__name__)


class MongoStorePipeline:
    """Batched idempotent upserts into ``articles``, written by one thread so the crawl never waits on them.

    A full batch goes to ``ArticleWriter`` on the writer thread and ``process_item`` returns at
    once; only when ``STORE_MAX_PENDING_BATCHES`` batches are still being written does it wait
    (back-pressure: the crawl slows to what the database takes rather than piling up memory).
    One thread keeps the batches in order. While the database is down, batches go straight
    to the spool for ``STORE_RETRY_AFTER_SECONDS``; the spool is replayed when the pipeline
    opens and again when it closes. Needs the asyncio reactor (the project's setting).
    """

    def __init__(self, stats: StatsCollector, *, writer: ArticleWriter, batch_size: int, max_pending: int) -> None:
        self.stats = stats
        self.writer = writer
        self.batch_size = batch_size
        self.max_pending = max(1, max_pending)
        self.buffer: list[dict[str, Any]] = []
        self._executor: ThreadPoolExecutor | None = None
        self._in_flight: list[asyncio.Future[Figures]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MongoStorePipeline:
        s = crawler.settings
        assert crawler.stats is not None
        writer = ArticleWriter(
            StoreConfig.from_settings(s),
            Spool(Path(s.get("AIDAILY_DATA_DIR")) / "spool"),
            retry_after=s.getfloat("STORE_RETRY_AFTER_SECONDS"),
        )
        return cls(
            crawler.stats,
            writer=writer,
            batch_size=s.getint("STORE_BATCH_SIZE"),
            max_pending=s.getint("STORE_MAX_PENDING_BATCHES", 2),
        )

    async def open_spider(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aidaily-store")
        self._apply(await self._run(self.writer.open))

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, dict) and "content_hash" in item:
            self.buffer.append(item)
            if len(self.buffer) >= self.batch_size:
                self.flush()
            while len(self._in_flight) >= self.max_pending:
                await asyncio.wait([self._in_flight[0]])
        return item

    async def close_spider(self) -> None:
        self.flush()
        if self._in_flight:
            await asyncio.wait(list(self._in_flight))
        try:
            self._apply(await self._run(self.writer.close))
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None

    def flush(self) -> asyncio.Future[Figures]:
        """Hand the buffered articles to the writer thread; the future is done once they are written or kept."""
        batch, self.buffer = self.buffer, []
        future = self._run(self.writer.write, batch)
        self._in_flight.append(future)
        future.add_done_callback(lambda done: self._written(done, batch))
        return future

    def _run(self, call: Any, *args: Any) -> asyncio.Future[Figures]:
        if self._executor is None:
            raise RuntimeError("the store pipeline is not open")
        return asyncio.get_running_loop().run_in_executor(self._executor, call, *args)

    def _written(self, done: asyncio.Future[Figures], batch: Sequence[dict[str, Any]]) -> None:
        self._in_flight.remove(done)
        error = None if done.cancelled() else done.exception()
        if done.cancelled() or error is not None:
            # A bug, not a database or disk failure (those the writer handles): say which articles it cost.
            logger.error("store writer failed on %d articles", len(batch), exc_info=error)
            self.stats.inc_value(UNKEPT, len(batch))
            per_source: Counter[str] = Counter()
            count_sources(per_source, batch, "unkept")
            for key, n in per_source.items():
                self.stats.inc_value(key, n)
            for doc in batch:
                logger.error("not kept: %s", doc.get("url"))
            return
        self._apply(done.result())

    def _apply(self, figures: Figures) -> None:
        """Crawl stats are changed on the reactor thread only."""
        for key, count in figures.inc.items():
            self.stats.inc_value(key, count)
        for key, value in figures.values.items():
            self.stats.set_value(key, value)
