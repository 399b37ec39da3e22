"""Distributed crawling on scrapy-redis: a shared queue that loses nothing when a worker dies.

scrapy-redis's queues pop a request and forget it, so the requests a killed worker held are
lost. ``ReliableQueue`` (the ``SCHEDULER_QUEUE_CLASS`` of scrapy-redis's scheduler) pops
atomically into a per-worker *processing* hash, and deletes entries only once their requests
are fully processed and their items written: when the store hands a batch to its writer thread
it asks the queue which requests are finished (``STORE_FLUSHING``), and once that batch and every
one before it is written or spooled it acknowledges exactly those (``STORE_FLUSHED``). Entries
whose items could be kept nowhere are left filed, so another worker requeues them.

Each worker keeps a heartbeat key alive; any worker that finds a processing hash without a
heartbeat pushes its entries back onto the queue. Processing is
at-least-once; the idempotent upserts of the store make it exactly one document per URL.

Roles: one ``seed`` run enqueues the spiders' start requests and exits; any number of
``worker`` runs skip ``start()``, consume the queue, and close once it has been idle for
``MAX_IDLE_TIME_BEFORE_CLOSE`` seconds with no other worker busy.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.pipelines.store import MongoStorePipeline
from crawler.writer import Figures

logger = logging.getLogger(__name__)

STORE_PIPELINE = "crawler.pipelines.store.MongoStorePipeline"
# Custom signals: the idle worker asks the store to flush; the store asks which requests are finished
# as it hands a batch to its writer, and says when that batch is written (with those entries).
FLUSH_REQUESTED = object()
STORE_FLUSHING = object()
STORE_FLUSHED = object()
ACK_META = "aidaily_queue_entry"

# Pop the oldest request and file it under this worker, in one step: a crash in between loses nothing.
_POP = """
local data = redis.call('RPOP', KEYS[1])
if not data then return nil end
local entry = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], entry, data)
return {entry, data}
"""
# Give a dead worker's requests back to the queue (to be popped next), unless it is alive after all.
_REQUEUE = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local held = redis.call('HVALS', KEYS[1])
for _, data in ipairs(held) do redis.call('RPUSH', KEYS[2], data) end
redis.call('DEL', KEYS[1])
return #held
"""


def configure(settings: BaseSettings, *, seed: bool) -> None:
    """Switch ``settings`` to the shared Redis scheduler, as the seeder or as a worker."""
    settings.set("SCHEDULER", "crawler.distributed.RedisScheduler", priority="cmdline")
    settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority="cmdline")
    settings.set("SCHEDULER_QUEUE_CLASS", "crawler.distributed.ReliableQueue", priority="cmdline")
    # A worker that finishes must not clear the queue others still read; the seeder clears the last run.
    settings.set("SCHEDULER_PERSIST", True, priority="cmdline")
    settings.set("SCHEDULER_FLUSH_ON_START", seed, priority="cmdline")
    settings.set("DISTRIBUTED_ROLE", "seed" if seed else "worker", priority="cmdline")
    pipelines = settings.getdict("ITEM_PIPELINES")
    if STORE_PIPELINE in pipelines:
        pipelines["crawler.distributed.DistributedStorePipeline"] = pipelines.pop(STORE_PIPELINE)
        settings.set("ITEM_PIPELINES", pipelines, priority="cmdline")
    middlewares = settings.getdict("SPIDER_MIDDLEWARES")
    middlewares["crawler.distributed.WorkerStartMiddleware"] = 0
    settings.set("SPIDER_MIDDLEWARES", middlewares, priority="cmdline")


def new_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{os.urandom(2).hex()}"


class RedisScheduler(Scheduler):
    """scrapy-redis 0.9's scheduler without the calls Scrapy 2.19 deprecates (stats and log with a spider)."""

    df: Any

    def open(self, spider: Spider) -> None:
        self.spider = spider
        key = self.queue_key % {"spider": spider.name}
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider, key=key, serializer=self.serializer)
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        if len(self.queue):
            spider.logger.info("Resuming crawl (%d requests scheduled)", len(self.queue))

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        request: Request | None = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


class ReliableQueue(Base):
    """A FIFO request queue in Redis whose popped requests stay filed under their worker until done."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        settings = spider.settings
        self.seeding = settings.get("DISTRIBUTED_ROLE") == "seed"
        self.worker_id = settings.get("DISTRIBUTED_WORKER_ID") or new_worker_id()
        self.heartbeat_seconds = settings.getfloat("DISTRIBUTED_HEARTBEAT_SECONDS", 30.0)
        self.max_idle = settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", 30.0)
        self.processing_key = f"{self.key}:processing:{self.worker_id}"
        self.popped: dict[str, Request] = {}
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self._idle_since: float | None = None
        self._beat_loop: task.LoopingCall | None = None
        crawler = spider.crawler
        self.crawler = crawler
        if not self.seeding:
            crawler.signals.connect(self.finished_entries, signal=STORE_FLUSHING)
            crawler.signals.connect(self.acknowledge, signal=STORE_FLUSHED)
            crawler.signals.connect(self.on_idle, signal=signals.spider_idle)
            crawler.signals.connect(self.on_closed, signal=signals.spider_closed)
            self.beat()
            self._beat_loop = task.LoopingCall(self.beat)
            # Often enough that an idle worker picks up new requests within a second.
            self._beat_loop.start(min(self.heartbeat_seconds / 3, 1.0), now=False)

    def heartbeat_key(self, worker_id: str) -> str:
        return f"{self.key}:worker:{worker_id}"

    def __len__(self) -> int:
        # The seeder only fills the queue: with nothing pending it closes once start() is done.
        return 0 if self.seeding else int(self.server.llen(self.key))

    def push(self, request: Request) -> None:
        self.server.lpush(self.key, self._encode_request(request))

    def pop(self, timeout: int = 0) -> Request | None:
        if self.seeding:
            return None
        found = self._pop(keys=[self.key, self.processing_key, f"{self.key}:entries"])
        if not found:
            return None
        entry, data = str(found[0]), found[1]
        request: Request = self._decode_request(data)
        request.meta[ACK_META] = entry
        self.popped[entry] = request
        return request

    def clear(self) -> None:
        """Forget the queue and every worker's processing entries (the seeder starts a new run)."""
        held = list(self.server.scan_iter(match=f"{self.key}:processing:*"))
        self.server.delete(self.key, f"{self.key}:entries", *held)

    def _encode_request(self, request: Request) -> bytes:
        data = request.to_dict(spider=self.spider)
        # A redirect or retry copies meta: the new request must not carry the old one's entry.
        data["meta"] = {k: v for k, v in data["meta"].items() if k != ACK_META}
        return bytes(self.serializer.dumps(data))

    def _engine_slot(self) -> Any:
        # The engine's slot is its one exact record of requests in progress (download, callback,
        # items through the pipelines); Scrapy has no public equivalent.
        engine = self.crawler.engine
        return getattr(engine, "_slot", None) if engine else None

    def in_progress(self) -> set[Request]:
        """Requests the engine holds from download until their callback output is fully processed."""
        slot = self._engine_slot()
        return set(slot.inprogress) if slot is not None else set()

    def finished_entries(self) -> list[str]:
        """Entries of requests the engine is done with: their items have all reached the store."""
        busy = self.in_progress()
        return [entry for entry, request in self.popped.items() if request not in busy]

    def acknowledge(self, entries: list[str]) -> int:
        """Delete ``entries`` (from ``finished_entries``) once the store has written their items."""
        done = [entry for entry in entries if entry in self.popped]
        if done:
            self.server.hdel(self.processing_key, *done)
            for entry in done:
                del self.popped[entry]
        return len(done)

    def beat(self, *, wake: bool = True) -> None:
        """Say this worker is alive (and how busy), and requeue what dead workers held."""
        busy = len(self.in_progress())
        self.server.set(self.heartbeat_key(self.worker_id), busy, px=int(self.heartbeat_seconds * 1000))
        self.requeue_dead()
        slot = self._engine_slot()
        if wake and not busy and slot is not None:
            # An idle engine looks at its scheduler (and at closing) only every 5 s: other workers may
            # have queued work meanwhile, or the idle time may be up.
            slot.nextcall.schedule()

    def requeue_dead(self) -> int:
        moved = 0
        prefix = f"{self.key}:processing:"
        for raw in self.server.scan_iter(match=prefix + "*"):
            name = raw.decode() if isinstance(raw, bytes) else str(raw)
            worker_id = name[len(prefix) :]
            if worker_id == self.worker_id:
                continue
            count = int(self._requeue(keys=[name, self.key, self.heartbeat_key(worker_id)]))
            if count:
                logger.warning("worker %s stopped beating: %d of its requests are back in the queue", worker_id, count)
                if self.crawler.stats:
                    self.crawler.stats.inc_value("aidaily/distributed/requeued", count)
            moved += count
        return moved

    def others_busy(self) -> bool:
        """Whether another live worker is processing requests (which may add more to the queue)."""
        mine = self.heartbeat_key(self.worker_id)
        for raw in self.server.scan_iter(match=self.heartbeat_key("*")):
            name = raw.decode() if isinstance(raw, bytes) else str(raw)
            if name != mine and int(self.server.get(name) or 0) > 0:
                return True
        return False

    def on_idle(self) -> None:
        self.crawler.signals.send_catch_log(FLUSH_REQUESTED)
        # Not waking the engine from here: it would go idle again at once and call back (a busy loop
        # of Redis round trips while other workers finish); the heartbeat loop wakes it within a second.
        self.beat(wake=False)
        if len(self) or self.others_busy():
            self._idle_since = None
            raise DontCloseSpider
        if self._idle_since is None:
            self._idle_since = time.monotonic()
        if self.max_idle <= 0 or time.monotonic() - self._idle_since < self.max_idle:
            raise DontCloseSpider

    def on_closed(self) -> None:
        # Closing waits for every request in progress and the store's last write. What is still
        # unacknowledged (its items kept nowhere, or the crawl stopped early) stays filed under this
        # worker: with its heartbeat gone, another worker puts it back on the queue.
        if self._beat_loop is not None and self._beat_loop.running:
            self._beat_loop.stop()
        if self.popped:
            logger.warning("%d requests not done; left for another worker to requeue", len(self.popped))
        else:
            self.server.delete(self.processing_key)
        self.server.delete(self.heartbeat_key(self.worker_id))


class DistributedStorePipeline(MongoStorePipeline):
    """The store pipeline, telling the queue when its writes are done so requests can be acknowledged."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedStorePipeline:
        pipeline = super().from_crawler(crawler)
        assert isinstance(pipeline, cls)
        pipeline.crawler = crawler
        crawler.signals.connect(pipeline.flush_requested, signal=FLUSH_REQUESTED)
        return pipeline

    def flush_requested(self) -> None:
        self.flush()

    def flush(self) -> asyncio.Future[Figures]:
        # Asked before the batch leaves: every request finished now has its items in it or in an
        # earlier batch, and the writer thread writes batches in order.
        entries = [
            entry
            for _, found in self.crawler.signals.send_catch_log(STORE_FLUSHING)
            if isinstance(found, list)
            for entry in found
        ]
        future = super().flush()
        future.add_done_callback(lambda done: self._acknowledge(done, entries))
        return future

    def _acknowledge(self, done: asyncio.Future[Figures], entries: list[str]) -> None:
        if done.cancelled() or done.exception() is not None or done.result().held:
            return  # not kept yet: the entries stay filed, to be acknowledged after a later write, or requeued
        self.crawler.signals.send_catch_log(STORE_FLUSHED, entries=entries)


class WorkerStartMiddleware:
    """Workers take every request from Redis: only the seeder runs the spiders' ``start()``."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerStartMiddleware:
        if crawler.settings.get("DISTRIBUTED_ROLE") != "worker":
            raise NotConfigured  # silently: only workers skip start()
        return cls()

    async def process_start(self, start: Any) -> Any:
        return
        yield  # an empty async generator: start() is never iterated
