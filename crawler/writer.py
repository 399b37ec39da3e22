"""What the store pipeline does with a batch, off Scrapy's reactor: MongoDB, else the spool, else memory.

``ArticleWriter`` runs on one writer thread. Each call returns the crawl-stat changes it made as
``Figures``, which the pipeline applies on the reactor thread, so the stats never race and every
count is the count of what happened: ``spooled`` only for lines fsynced into the spool, ``unkept``
for articles neither MongoDB nor the spool could take by the end of the crawl.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo.errors import PyMongoError

from crawler.dates import SHANGHAI
from crawler.dbproblem import database_problem, log_in_full
from crawler.health import COVERAGE_FIELDS, coverage_key
from crawler.spool import Spool, SpoolWriteError
from crawler.store import Store, StoreConfig, UpsertCounts
from crawler.tally import DUPLICATE, lost_key

logger = logging.getLogger(__name__)

# Crawl stats that mean something was lost or needs a look; the CLI prints them and fails on them.
UNKEPT = "aidaily/store/unkept"
QUARANTINED = "aidaily/spool/quarantined"


@dataclass
class Figures:
    """Crawl-stat changes of one writer call: increments, values to set, and how many articles are held."""

    inc: Counter[str] = field(default_factory=Counter)
    values: dict[str, int] = field(default_factory=dict)
    held: int = 0


class ArticleWriter:
    """Batched upserts into MongoDB; while it fails, the spool; while that fails too, memory, retried."""

    def __init__(
        self,
        config: StoreConfig,
        spool: Spool,
        *,
        retry_after: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.spool = spool
        self.retry_after = retry_after
        self.clock = clock
        self.store: Store | None = None
        self.held: list[dict[str, Any]] = []
        self._named: set[str] = set()
        self._indexed = False
        self._down_until = 0.0

    def open(self) -> Figures:
        """Connect, create the indexes and replay what earlier runs spooled."""
        figures = Figures()
        self.store = self.config.open()
        if self._ensure_indexes("at crawl start"):
            self._replay(figures)
        return figures

    def write(self, batch: Sequence[Mapping[str, Any]]) -> Figures:
        """Store ``batch`` (and anything held from before), or keep it in the spool or in memory."""
        figures = Figures()
        docs = [*self.held, *batch]
        self.held = []
        if docs:
            why = self._try_store(docs, figures)
            if why is not None:
                self._keep(docs, why, figures)
        figures.held = len(self.held)
        return figures

    def close(self) -> Figures:
        """Last tries for held articles, replay the spool, and name what could not be kept."""
        figures = Figures()
        if self.held:
            self._down_until = 0.0  # one last try at the database, whatever the back-off says
            figures = self.write([])
        if self.clock() >= self._down_until and self._ensure_indexes("at crawl end"):
            self._replay(figures)
        try:
            pending = len(self.spool)
        except OSError as exc:
            logger.error("cannot read the spool %s: %s", self.spool.folder, exc)
            pending = 0
        figures.values["aidaily/store/spool_pending"] = pending
        if pending:
            logger.warning("%d articles wait in the spool %s; `aidaily replay` writes them", pending, self.spool.path)
        if self.held:
            figures.inc[UNKEPT] += len(self.held)
            count_sources(figures.inc, self.held, "unkept")
            logger.error(
                "%d articles could not be kept: the database and the spool %s both failed",
                len(self.held),
                self.spool.path,
            )
            for doc in self.held:
                logger.error("not kept: %s", doc.get("url"))
        figures.held = len(self.held)
        if self.store is not None:
            self.store.close()
            self.store = None
        return figures

    def _try_store(self, docs: list[dict[str, Any]], figures: Figures) -> str | None:
        """Upsert ``docs``; None when written, else why not."""
        if self.store is None:
            return "no database"
        if self.clock() < self._down_until:
            return "database down"
        if not self._ensure_indexes("before writing"):
            return "database down"
        try:
            counts = self.store.upsert_articles(docs, now=datetime.now(SHANGHAI))
        except PyMongoError as exc:
            self._down_until = self.clock() + self.retry_after
            log_in_full(logger, exc)
            return database_problem(exc)
        count_outcomes(figures.inc, counts, docs)
        return None

    def _keep(self, docs: list[dict[str, Any]], why: str, figures: Figures) -> None:
        try:
            self.spool.append(docs)
        except SpoolWriteError as exc:
            figures.inc["aidaily/store/spooled"] += exc.kept
            count_sources(figures.inc, docs[: exc.kept], "spooled")
            self.held = docs[exc.kept :]
            logger.error(
                "could not store %d articles (%s) nor spool %d of them (%s); held in memory and retried",
                len(docs),
                why,
                len(self.held),
                exc,
            )
            for doc in self.held:  # named as soon as held: a killed process leaves them in the log
                if doc["_id"] not in self._named:
                    self._named.add(doc["_id"])
                    logger.warning("held in memory: %s", doc.get("url"))
            return
        figures.inc["aidaily/store/spooled"] += len(docs)
        count_sources(figures.inc, docs, "spooled")
        logger.error("could not store %d articles (%s); kept in %s", len(docs), why, self.spool.path)

    def _ensure_indexes(self, when: str) -> bool:
        if self._indexed:
            return True
        if self.store is None:
            return False
        try:
            self.store.ensure_indexes()
        except PyMongoError as exc:
            logger.error("MongoDB unreachable %s (%s); articles will be spooled", when, database_problem(exc))
            log_in_full(logger, exc)
            self._down_until = self.clock() + self.retry_after
            return False
        self._indexed = True
        return True

    def _replay(self, figures: Figures) -> None:
        store = self.store
        if store is None:
            return

        def write(docs: list[dict[str, Any]]) -> None:
            counts = store.upsert_articles(docs, now=datetime.now(SHANGHAI))
            # articles an earlier crawl found: in the store's figures, not in this crawl's sources'
            count_outcomes(figures.inc, counts, docs, sources=False)

        try:
            replayed = self.spool.replay(write)
        except PyMongoError as exc:
            self._down_until = self.clock() + self.retry_after
            logger.error("spool replay stopped: %s", database_problem(exc))
            log_in_full(logger, exc)
            return
        except OSError as exc:  # an unreadable or unwritable spool folder: what it holds stays there
            logger.error("spool replay failed in %s: %s", self.spool.folder, exc)
            return
        if replayed.written:
            figures.inc["aidaily/store/replayed"] += replayed.written
            logger.info("replayed %d spooled articles into MongoDB", replayed.written)
        if replayed.quarantined:
            figures.inc[QUARANTINED] += replayed.quarantined
            logger.error(
                "%d unreadable spool lines moved to %s (cut by a crash?)",
                replayed.quarantined,
                self.spool.quarantine_path,
            )


def count_outcomes(
    stats: Counter[str], counts: UpsertCounts, docs: Sequence[Mapping[str, Any]], *, sources: bool = True
) -> None:
    """Crawl-wide and (unless ``sources`` is off) per-source figures of one written batch, one article per id.

    An id twice in the batch is written once (its last copy); the other copy is counted lost as a duplicate.
    """
    latest = {d["_id"]: d for d in docs}
    for doc in latest.values():
        outcome = counts.outcomes[doc["_id"]]
        stats[f"aidaily/store/{outcome}"] += 1
        if not sources:
            continue
        source = f"aidaily/source/{doc['source']}"
        stats[f"{source}/{outcome}"] += 1
        stats[f"{source}/stored"] += 1
        for name in COVERAGE_FIELDS:
            if doc.get(name):
                stats[coverage_key(doc["source"], name)] += 1
    if sources:
        for doc in docs:
            if latest[doc["_id"]] is not doc:
                stats[lost_key(doc["source"], DUPLICATE)] += 1


def count_sources(stats: Counter[str], docs: Sequence[Mapping[str, Any]], figure: str) -> None:
    """``aidaily/source/<source>/<figure>`` for each of ``docs`` (spooled, unkept)."""
    for doc in docs:
        stats[f"aidaily/source/{doc.get('source')}/{figure}"] += 1


def losses(stats: Mapping[str, Any]) -> list[str]:
    """One phrase per kind of loss a crawl's stats record (articles not kept, spool lines quarantined)."""
    found = []
    if stats.get(UNKEPT):
        found.append(f"{stats[UNKEPT]} articles could not be kept (database and spool both failed; URLs in the log)")
    if stats.get(QUARANTINED):
        found.append(f"{stats[QUARANTINED]} unreadable spool lines quarantined")
    return found
