"""Store article documents in MongoDB in batches; spool what cannot be written."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from pymongo.errors import PyMongoError
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.dates import SHANGHAI
from crawler.health import COVERAGE_FIELDS, coverage_key
from crawler.spool import Spool
from crawler.store import Store, StoreConfig, UpsertCounts

logger = logging.getLogger(__name__)


class MongoStorePipeline:
    """Batched idempotent upserts into ``articles``; a failed batch goes to the local spool.

    While the database is down, batches go straight to the spool for
    ``STORE_RETRY_AFTER_SECONDS`` rather than stalling the crawl on server selection.
    The spool is replayed when the pipeline opens and again when it closes.
    """

    def __init__(
        self,
        stats: StatsCollector,
        *,
        config: StoreConfig,
        spool: Spool,
        batch_size: int,
        retry_after: float,
    ) -> None:
        self.stats = stats
        self.config = config
        self.batch_size = batch_size
        self.retry_after = retry_after
        self.spool = spool
        self.store: Store | None = None
        self.buffer: list[dict[str, Any]] = []
        self._down_until = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MongoStorePipeline:
        s = crawler.settings
        assert crawler.stats is not None
        return cls(
            crawler.stats,
            config=StoreConfig.from_settings(s),
            spool=Spool(Path(s.get("AIDAILY_DATA_DIR")) / "spool"),
            batch_size=s.getint("STORE_BATCH_SIZE"),
            retry_after=s.getfloat("STORE_RETRY_AFTER_SECONDS"),
        )

    def open_spider(self) -> None:
        self.store = self.config.open()
        try:
            self.store.ensure_indexes()
        except PyMongoError as exc:
            logger.error("MongoDB unreachable at crawl start (%s); articles will be spooled", exc)
            self._down_until = time.monotonic() + self.retry_after
            return
        self._replay()

    def close_spider(self) -> None:
        self.flush()
        if time.monotonic() >= self._down_until:
            self._replay()
        pending = len(self.spool)
        self.stats.set_value("aidaily/store/spool_pending", pending)
        if pending:
            logger.warning("%d articles wait in the spool %s; `aidaily replay` writes them", pending, self.spool.path)
        if self.store is not None:
            self.store.close()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, dict) and "content_hash" in item:
            self.buffer.append(item)
            if len(self.buffer) >= self.batch_size:
                self.flush()
        return item

    def flush(self) -> None:
        batch, self.buffer = self.buffer, []
        if not batch:
            return
        if self.store is None or time.monotonic() < self._down_until:
            self._to_spool(batch, "database down")
            return
        try:
            counts = self.store.upsert_articles(batch, now=datetime.now(SHANGHAI))
        except PyMongoError as exc:
            self._down_until = time.monotonic() + self.retry_after
            self._to_spool(batch, str(exc))
            return
        self._count(counts, batch)

    def _to_spool(self, batch: list[dict[str, Any]], why: str) -> None:
        self.spool.append(batch)
        self.stats.inc_value("aidaily/store/spooled", len(batch))
        logger.error("could not store %d articles (%s); kept in %s", len(batch), why, self.spool.path)

    def _replay(self) -> None:
        if self.store is None:
            return
        store = self.store

        def write(docs: list[dict[str, Any]]) -> None:
            self._count(store.upsert_articles(docs, now=datetime.now(SHANGHAI)), docs)

        try:
            replayed = self.spool.replay(write)
        except PyMongoError as exc:
            self._down_until = time.monotonic() + self.retry_after
            logger.error("spool replay stopped: %s", exc)
            return
        if replayed.written:
            self.stats.inc_value("aidaily/store/replayed", replayed.written)
            logger.info("replayed %d spooled articles into MongoDB", replayed.written)
        if replayed.quarantined:
            self.stats.inc_value("aidaily/spool/quarantined", replayed.quarantined)

    def _count(self, counts: UpsertCounts, docs: list[dict[str, Any]]) -> None:
        """Crawl-wide and per-source figures of one written batch, one article per id."""
        for doc in {d["_id"]: d for d in docs}.values():
            outcome = counts.outcomes[doc["_id"]]
            source = f"aidaily/source/{doc['source']}"
            for scope in ("aidaily/store", source):
                self.stats.inc_value(f"{scope}/{outcome}")
            self.stats.inc_value(f"{source}/stored")
            for field in COVERAGE_FIELDS:
                if doc.get(field):
                    self.stats.inc_value(coverage_key(doc["source"], field))
