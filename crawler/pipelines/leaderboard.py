"""Store leaderboard snapshots in the ``leaderboard`` collection, one document per (date, category)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import PyMongoError
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.dates import SHANGHAI
from crawler.items import LeaderboardSnapshotItem
from crawler.store import Store, StoreConfig

logger = logging.getLogger(__name__)

COLLECTION = "leaderboard"


def snapshot_id(date: str, category: str) -> str:
    """Document id of a snapshot, e.g. ``2025-06-01:text/overall``."""
    return f"{date}:{category}"


def snapshot_document(item: LeaderboardSnapshotItem, *, fetched_at: datetime) -> dict[str, Any]:
    """The stored form of a snapshot item."""
    return {
        "_id": snapshot_id(item.date, item.category),
        "date": item.date,
        "category": item.category,
        "entries": [{"model": model, "score": score, "rank": rank} for model, score, rank in item.entries],
        "source_url": item.source_url,
        "fetched_at": fetched_at,
    }


class LeaderboardPipeline:
    """Idempotent upserts of LeaderboardSnapshotItems; other items pass through untouched.

    The board history arrives whole on every crawl, so a snapshot whose entries did not
    change is left as it is (``fetched_at`` keeps the first time it was seen that way).
    """

    def __init__(self, stats: StatsCollector, config: StoreConfig) -> None:
        self.stats = stats
        self.config = config
        self.store: Store | None = None
        self.buffer: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaderboardPipeline:
        s = crawler.settings
        assert crawler.stats is not None
        return cls(
            crawler.stats,
            StoreConfig.from_settings(s),
        )

    def process_item(self, item: Any) -> Any:
        if isinstance(item, LeaderboardSnapshotItem):
            self.buffer.append(snapshot_document(item, fetched_at=datetime.now(SHANGHAI)))
        return item

    def close_spider(self) -> None:
        if not self.buffer:
            return  # crawls without snapshots never open the database from here
        # Opened at close, not at open: the store pipeline may own the embedded server until then,
        # and this way a news crawl does not pay for a second connection.
        try:
            with self.config.open() as store:
                counts = upsert_snapshots(store, self.buffer)
        except PyMongoError as exc:
            # Not spooled: the source publishes the whole history, so the next crawl brings it all back.
            self.stats.inc_value("aidaily/leaderboard/unsaved", len(self.buffer))
            logger.error(
                "%d leaderboard snapshots not stored (%s); the next crawl fetches them again", len(self.buffer), exc
            )
            return
        finally:
            self.buffer = []
        for key, value in counts.items():
            self.stats.inc_value(f"aidaily/leaderboard/{key}", value)


def upsert_snapshots(store: Store, docs: list[dict[str, Any]]) -> dict[str, int]:
    """Insert new snapshots, replace changed ones, leave equal ones; return the three counts."""
    collection = store.collection(COLLECTION)
    stored = {d["_id"]: d for d in collection.find({"_id": {"$in": [d["_id"] for d in docs]}}, {"entries": 1})}
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    ops: list[UpdateOne] = []
    for doc in docs:
        before = stored.get(doc["_id"])
        if before is None:
            counts["inserted"] += 1
        elif before.get("entries") == doc["entries"]:
            counts["unchanged"] += 1
            continue
        else:
            counts["updated"] += 1
        fields = {k: v for k, v in doc.items() if k != "_id"}
        ops.append(UpdateOne({"_id": doc["_id"]}, {"$set": fields}, upsert=True))
    if ops:
        collection.bulk_write(ops, ordered=False)
    return counts
