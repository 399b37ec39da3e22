"""The one place that speaks to MongoDB: collections, indexes, idempotent upserts, queries."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from pymongo import ASCENDING, DESCENDING, IndexModel, MongoClient, UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from crawler.dates import MAX_AHEAD, SHANGHAI
from crawler.embedded import EmbeddedMongo

logger = logging.getLogger(__name__)

DUPLICATE_KEY = 11000

# Fields a crawl owns. Anything else on a document (enrichment, LLM output) is left alone
# by re-crawls, except that a changed body clears ``enriched_at`` so enrichment runs again.
CRAWL_FIELDS = (
    "url",
    "source",
    "source_name",
    "kind",
    "title",
    "author",
    "body",
    "summary",
    "images",
    "tags",
    "etag",
    "last_modified",
)
VERSIONED_FIELDS = ("title", "body", "summary", "content_hash", "html_sha256", "fetched_at", "crawl_run_id")

INDEXES: dict[str, list[IndexModel]] = {
    "articles": [
        IndexModel([("url", ASCENDING)], unique=True, name="url_unique"),
        IndexModel([("published_at", DESCENDING)], name="published_at"),
        IndexModel([("source", ASCENDING), ("published_at", DESCENDING)], name="source_published_at"),
        IndexModel([("content_hash", ASCENDING)], name="content_hash"),
        IndexModel([("tokens", ASCENDING), ("published_at", DESCENDING)], name="tokens_published_at"),
        IndexModel([("cluster_id", ASCENDING), ("published_at", ASCENDING)], name="cluster_published_at"),
        IndexModel([("category", ASCENDING), ("published_at", DESCENDING)], name="category_published_at"),
        IndexModel([("duplicate_of", ASCENDING)], name="duplicate_of"),  # aidaily show: copies of an article
        IndexModel([("enriched_at", ASCENDING)], name="enriched_at"),
    ],
    "article_versions": [
        IndexModel([("article_id", ASCENDING), ("superseded_at", DESCENDING)], name="article_superseded_at"),
    ],
    "crawl_runs": [IndexModel([("started_at", DESCENDING)], name="started_at")],
    "llm_runs": [IndexModel([("date", DESCENDING), ("started_at", DESCENDING)], name="date_started_at")],
    "clusters": [
        IndexModel([("last_published_at", DESCENDING)], name="last_published_at"),
        IndexModel([("members", ASCENDING)], name="members"),
    ],
    "leaderboard": [IndexModel([("category", ASCENDING), ("date", DESCENDING)], name="category_date")],
}


class SettingsLike(Protocol):
    """What StoreConfig reads from: Scrapy's Settings, or anything with the same getters."""

    def get(self, name: str, default: Any = None) -> Any: ...
    def getint(self, name: str, default: int = 0) -> int: ...


@dataclass(frozen=True)
class StoreConfig:
    """Where the database is, as the settings say: what every component needs to open the store."""

    uri: str | None
    db_name: str = "aidaily"
    data_dir: Path | None = None
    timeout_ms: int = 5000

    @classmethod
    def from_settings(cls, settings: SettingsLike) -> StoreConfig:
        return cls(
            uri=settings.get("MONGO_URI") or None,
            db_name=settings.get("MONGO_DATABASE"),
            data_dir=Path(settings.get("AIDAILY_DATA_DIR")),
            timeout_ms=settings.getint("MONGO_TIMEOUT_MS"),
        )

    def open(self) -> Store:
        return Store.open(self.uri, db_name=self.db_name, data_dir=self.data_dir, timeout_ms=self.timeout_ms)


@dataclass
class UpsertCounts:
    """What one batch of upserts did to each article id: ``inserted``, ``updated`` or ``unchanged``."""

    outcomes: dict[str, str] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes.values() if o == outcome)

    @property
    def inserted(self) -> int:
        return self.count("inserted")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


class Store:
    """aidaily's MongoDB database, at ``MONGO_URI`` or in the embedded default."""

    def __init__(
        self, client: MongoClient[dict[str, Any]], db_name: str, embedded: EmbeddedMongo | None = None
    ) -> None:
        self.client = client
        self.db: Database[dict[str, Any]] = client[db_name]
        self._embedded = embedded

    @classmethod
    def open(
        cls,
        uri: str | None,
        *,
        db_name: str = "aidaily",
        data_dir: Path | None = None,
        timeout_ms: int = 5000,
    ) -> Store:
        """Connect to ``uri``; with none, start (or attach to) the embedded database in ``data_dir``."""
        embedded = None
        if not uri:
            if data_dir is None:
                raise ValueError("no MONGO_URI and no data folder for the embedded database")
            embedded = EmbeddedMongo(data_dir / "db")
            uri = embedded.start()
        client: MongoClient[dict[str, Any]] = MongoClient(
            uri,
            tz_aware=True,
            tzinfo=SHANGHAI,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            socketTimeoutMS=max(timeout_ms * 6, 30000),
            appname="aidaily",
        )
        return cls(client, db_name, embedded)

    def close(self) -> None:
        self.client.close()
        if self._embedded is not None:
            self._embedded.stop()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def uri(self) -> str | None:
        return self._embedded.uri if self._embedded else None

    @property
    def articles(self) -> Collection[dict[str, Any]]:
        return self.db["articles"]

    @property
    def versions(self) -> Collection[dict[str, Any]]:
        return self.db["article_versions"]

    @property
    def runs(self) -> Collection[dict[str, Any]]:
        return self.db["crawl_runs"]

    def collection(self, name: str) -> Collection[dict[str, Any]]:
        return self.db[name]

    def ensure_indexes(self) -> None:
        """Create every index the crawler, enrichment, reports and research queries use."""
        for name, models in INDEXES.items():
            self.db[name].create_indexes(models)

    def ping(self) -> None:
        """Raise if the server cannot be reached."""
        self.client.admin.command("ping")

    def upsert_articles(self, docs: Sequence[Mapping[str, Any]], *, now: datetime) -> UpsertCounts:
        """Write normalised article documents: new ones inserted, changed ones updated, the rest untouched.

        A changed title or body keeps the earlier text in ``article_versions``. A re-crawl
        never moves a possible ``published_at`` once known, because relative dates (``3小时前``)
        resolve against the crawl time and would drift; an impossible one (more than a day after
        its ``fetched_at``) is corrected.
        """
        counts = UpsertCounts()
        if not docs:
            return counts
        latest: dict[str, Mapping[str, Any]] = {}
        for doc in docs:  # the same URL twice in one batch: the last one wins
            latest[doc["_id"]] = doc
        stored = {d["_id"]: d for d in self.articles.find({"_id": {"$in": list(latest)}})}
        ops: list[UpdateOne] = []
        inserts: dict[int, str] = {}  # op index -> id, for the ops that insert
        old_versions: list[dict[str, Any]] = []
        for _id, doc in latest.items():
            before = stored.get(_id)
            if before is None:
                inserts[len(ops)] = _id
                ops.append(
                    UpdateOne({"_id": _id}, {"$setOnInsert": {**doc, "first_seen_at": now, "version": 1}}, upsert=True)
                )
                counts.outcomes[_id] = "inserted"
                continue
            change = _changed_fields(before, doc)
            if not change:
                counts.outcomes[_id] = "unchanged"
                continue
            update: dict[str, Any] = {"$set": {**change, "updated_at": now}}
            if "content_hash" in change:
                old_versions.append(
                    {"article_id": _id, "url": before["url"], "superseded_at": now, "version": before.get("version", 1)}
                    | {k: before.get(k) for k in VERSIONED_FIELDS}
                )
                update["$inc"] = {"version": 1}
                update["$unset"] = {"enriched_at": ""}
            ops.append(UpdateOne({"_id": _id}, update))
            counts.outcomes[_id] = "updated"
        if old_versions:
            self.versions.insert_many(old_versions, ordered=False)
        if ops:
            for _id in _not_inserted(self.articles, ops, inserts):
                counts.outcomes[_id] = "unchanged"
        return counts

    def find_articles(
        self,
        query: Mapping[str, Any] | None = None,
        *,
        projection: Mapping[str, Any] | None = None,
        sort: list[tuple[str, int]] | None = None,
        limit: int = 0,
    ) -> Iterator[dict[str, Any]]:
        """Articles matching ``query``, in ``sort`` order."""
        cursor = self.articles.find(dict(query or {}), projection=dict(projection) if projection else None)
        if sort:
            cursor = cursor.sort(sort)
        if limit:
            cursor = cursor.limit(limit)
        yield from cursor

    def set_fields(self, updates: Iterable[tuple[str, Mapping[str, Any]]], *, batch: int = 500) -> int:
        """``$set`` fields on articles by id (enrichment writes); returns how many were modified."""
        modified = 0
        ops: list[UpdateOne] = []
        for _id, fields in updates:
            ops.append(UpdateOne({"_id": _id}, {"$set": dict(fields)}))
            if len(ops) >= batch:
                modified += self.articles.bulk_write(ops, ordered=False).modified_count
                ops = []
        if ops:
            modified += self.articles.bulk_write(ops, ordered=False).modified_count
        return modified

    def record_run(self, run: Mapping[str, Any]) -> None:
        """Store one crawl run's figures (per-source health included)."""
        self.runs.replace_one({"_id": run["_id"]}, dict(run), upsert=True)


def _not_inserted(articles: Collection[dict[str, Any]], ops: list[UpdateOne], inserts: dict[int, str]) -> list[str]:
    """Write ``ops``; return the ids meant to be inserted that another writer inserted first.

    Two crawls on one database may find the same new article at once: both upsert it, one
    inserts and the other matches the fresh document (or, racing on the unique index, gets a
    duplicate-key error). Either way only the first counts it as new.
    """
    try:
        result = articles.bulk_write(ops, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY or e.get("index") not in inserts for e in errors):
            raise
        upserted = {u["index"] for u in exc.details.get("upserted", [])}
    else:
        upserted = set(result.upserted_ids or {})
    return [_id for i, _id in inserts.items() if i not in upserted]


def _changed_fields(before: Mapping[str, Any], doc: Mapping[str, Any]) -> dict[str, Any]:
    """What a re-crawl writes over a stored article: the changed crawl fields, and the date where
    the stored one is missing or impossible.

    A possible stored date never moves (relative dates resolve against the crawl and would drift).
    One more than a day after its own ``fetched_at`` (a page that claimed 2099, stored before such
    dates were refused) is replaced, by null if the new crawl has no date either. ``date_flags``
    describe the stored date, so they are written with it; ``extractor`` names the stored text's parser.
    """
    change = {k: doc.get(k) for k in CRAWL_FIELDS if k in doc and before.get(k) != doc.get(k)}
    stored, fetched = before.get("published_at"), before.get("fetched_at")
    impossible = stored is not None and isinstance(fetched, datetime) and stored > fetched + MAX_AHEAD
    if impossible or (stored is None and doc.get("published_at") is not None):
        change["published_at"] = doc["published_at"]
        change["published_raw"] = doc.get("published_raw")
        if "date_flags" in doc:
            change["date_flags"] = doc["date_flags"]
    if "extractor" in doc and before.get("extractor") != doc["extractor"]:
        change["extractor"] = doc["extractor"]
    if "body" in change or "title" in change:
        change.update({k: doc.get(k) for k in ("content_hash", "html_sha256", "fetched_at", "crawl_run_id")})
    return change
