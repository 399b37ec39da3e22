"""Incremental crawls: follow only article links not yet stored, re-fetch recent ones conditionally.

What is stored is read from MongoDB (the ``articles`` collection), in one ``$in`` query per list
page, with a bounded LRU of known articles in front; nothing grows with the archive. The
middleware sits in the spider output, so in a distributed crawl a skipped article never even
reaches the shared queue.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawler.dates import SHANGHAI
from crawler.normalize import article_id
from crawler.outcomes import source_of
from crawler.store import Store, StoreConfig
from crawler.urls import canonicalize_url

logger = logging.getLogger(__name__)

# Spiders that build their own article requests mark them by these callbacks (or meta["article"]).
ARTICLE_CALLBACKS = frozenset({"parse_article", "parse_newsflash"})
KNOWN_FIELDS = {"first_seen_at": 1, "fetched_at": 1, "etag": 1, "last_modified": 1}


def is_article_request(request: Request) -> bool:
    """Whether ``request`` fetches an article page (rather than a list, feed or API page)."""
    marked = request.meta.get("article")
    if marked is not None:
        return bool(marked)
    return getattr(request.callback, "__name__", "") in ARTICLE_CALLBACKS


class IncrementalMiddleware:
    """Drop requests for stored articles, unless recent enough to change; then ask conditionally.

    An article first seen less than ``INCREMENTAL_RECENT_HOURS`` ago and last fetched at least
    ``REFETCH_AFTER_HOURS`` ago is fetched again, with If-None-Match / If-Modified-Since from
    the stored ``etag`` / ``last_modified``: a site that supports them answers 304, no body.
    """

    def __init__(
        self,
        stats: StatsCollector,
        *,
        config: StoreConfig,
        refetch_after: timedelta,
        recent: timedelta,
        cache_size: int,
    ) -> None:
        self.stats = stats
        self.config = config
        self.refetch_after = refetch_after
        self.recent = recent
        self.cache_size = cache_size
        self.known: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.store: Store | None = None
        self.crawler: Crawler | None = None  # for the spider a skipped request's source defaults to

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        s = crawler.settings
        if not s.getbool("INCREMENTAL"):
            raise NotConfigured  # silently: off is the default
        assert crawler.stats is not None
        middleware = cls(
            crawler.stats,
            config=StoreConfig.from_settings(s),
            refetch_after=timedelta(hours=s.getfloat("REFETCH_AFTER_HOURS")),
            recent=timedelta(hours=s.getfloat("INCREMENTAL_RECENT_HOURS")),
            cache_size=s.getint("INCREMENTAL_CACHE_SIZE"),
        )
        middleware.crawler = crawler
        crawler.signals.connect(middleware.open, signal=signals.spider_opened)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        crawler.signals.connect(middleware.count_not_modified, signal=signals.response_received)
        return middleware

    def open(self) -> None:
        self.store = self.config.open()

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def count_not_modified(self, response: Response, request: Request) -> None:
        if response.status == 304 and is_article_request(request):
            self.stats.inc_value("aidaily/incremental/not_modified")

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from self.filter(list(result))

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        # Collect a list page's output first, to look all its articles up in one query.
        for output in self.filter([o async for o in result]):
            yield output

    def filter(self, outputs: list[Any], now: datetime | None = None) -> Iterator[Any]:
        """``outputs`` without requests for stored articles that need no re-fetch."""
        now = now or datetime.now(SHANGHAI)
        ids = {
            # An article fetched through an API (jiqizhixin) names its page in meta["article_url"].
            id(o): article_id(canonicalize_url(o.meta.get("article_url") or o.url))
            for o in outputs
            if isinstance(o, Request) and is_article_request(o)
        }
        stored = self.lookup(set(ids.values()))
        for output in outputs:
            doc = stored.get(ids.get(id(output), ""))
            if doc is None:
                yield output
            elif self.may_have_changed(doc, now):
                self.stats.inc_value("aidaily/incremental/refetched")
                yield self.conditional(output, doc)
            else:
                self.stats.inc_value("aidaily/incremental/skipped")
                # the link's end, per source: ``already stored`` in the summary (crawler.tally)
                spider = self.crawler.spider if self.crawler is not None else None
                self.stats.inc_value(f"aidaily/source/{source_of(output, spider)}/known")
                logger.debug("already stored, not fetched: %s", output.url)

    def lookup(self, ids: set[str]) -> dict[str, dict[str, Any]]:
        """Stored articles among ``ids``: from the LRU, the rest in one query."""
        found = {i: self.known[i] for i in ids if i in self.known}
        for i in found:
            self.known.move_to_end(i)
        missing = sorted(ids - found.keys())
        if missing and self.store is not None:
            for doc in self.store.find_articles({"_id": {"$in": missing}}, projection=KNOWN_FIELDS):
                found[doc["_id"]] = doc
                self.known[doc["_id"]] = doc
            while len(self.known) > self.cache_size:
                self.known.popitem(last=False)
        return found

    def may_have_changed(self, doc: dict[str, Any], now: datetime) -> bool:
        first_seen, fetched = doc.get("first_seen_at"), doc.get("fetched_at")
        if first_seen is None or now - first_seen >= self.recent:
            return False
        return fetched is None or now - fetched >= self.refetch_after

    @staticmethod
    def conditional(request: Request, doc: dict[str, Any]) -> Request:
        if doc.get("etag"):
            request.headers.setdefault("If-None-Match", doc["etag"])
        if doc.get("last_modified"):
            request.headers.setdefault("If-Modified-Since", doc["last_modified"])
        return request
