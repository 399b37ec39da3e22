"""Scrapy extensions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import PyMongoError
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import run_in_thread

from crawler.dates import SHANGHAI
from crawler.dbproblem import database_problem, log_in_full
from crawler.health import merged_sources, run_part, run_update
from crawler.runs import run_id_of
from crawler.store import StoreConfig


class CrawlRunRecorder:
    """At spider close, merge this spider's per-source health figures into ``crawl_runs``.

    The store is opened at close, after the item pipelines have closed. ``MONGO_URI`` is
    always set by then: by the user, by ``aidaily crawl``, or by the embedded-database add-on.
    """

    def __init__(self, crawler: Crawler, config: StoreConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.started_at = datetime.now(SHANGHAI)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        s = crawler.settings
        if not s.getbool("CRAWL_RUNS_ENABLED"):
            raise NotConfigured("CRAWL_RUNS_ENABLED is off")
        ext = cls(crawler, StoreConfig.from_settings(s))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started_at = datetime.now(SHANGHAI)

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        assert self.crawler.stats is not None
        run_id = run_id_of(self.crawler)
        part = run_part(
            spider=spider.name,
            started_at=self.started_at,
            finished_at=datetime.now(SHANGHAI),
            finish_reason=reason,
            stats=self.crawler.stats.get_stats(),
        )
        try:
            # In a thread: the other spiders of this process crawl on while this one's figures are written
            # (or, with the database down, while server selection times out).
            await run_in_thread(self._record, run_id, part)
        except PyMongoError as exc:
            # The articles are safe in the spool; only this run's figures are lost, and the log keeps them.
            why = database_problem(exc)
            spider.logger.error("crawl run %s: health figures not recorded (%s): %s", run_id, why, part["sources"])
            log_in_full(spider.logger, exc)
            return
        sources = ", ".join(part["sources"]) or "no source"
        spider.logger.info("crawl run %s: health figures of %s recorded", run_id, sources)

    def _record(self, run_id: str, part: Mapping[str, Any]) -> None:
        with self.config.open() as store:
            record_part(store.runs, run_id, part)


def record_part(runs: Collection[dict[str, Any]], run_id: str, part: Mapping[str, Any]) -> None:
    """Merge one spider's part into its run document, then re-sum the run's per-source figures."""
    runs.update_one({"_id": run_id}, run_update(part), upsert=True)
    run = runs.find_one({"_id": run_id}, {"stats": 1}) or {}
    runs.update_one({"_id": run_id}, {"$set": {"sources": merged_sources(run)}})
