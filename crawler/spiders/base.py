"""Shared spider plumbing: call a pure page parser on a response and account for every page.

A page is stored, or its loss is counted with a reason; it never just vanishes. A cut page
is not parsed (``crawler.middlewares.TruncatedResponseMiddleware`` retried it first); a site
parser that fails on a page hands it to the generic extractor; a list that yields no article
link is a failure, not an empty day.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.dates import SHANGHAI, check_published
from crawler.incremental import is_article_request
from crawler.items import ArticleItem
from crawler.normalize import article_id
from crawler.outcomes import classify, source_of
from crawler.pages import ArticleGone, PageBlocked, ParseError, generic
from crawler.responses import TRUNCATED_FLAG, served_at
from crawler.tally import DUPLICATE, ERROR, lost_key
from crawler.urls import canonicalize_url

ArticleParser = Callable[[str, str], ArticleItem]
LinkParser = Callable[[str, str], Iterable[str]]
GENERIC = "generic"
# What a site parser raises on a page shaped unlike the pages it was written for (a missing
# key, a list where a dict was). Counted and handed to the generic extractor, like a ParseError.
PARSER_FAILURES = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def extractor_name(parser: Callable[..., Any]) -> str:
    """The short name of a parser's module: ``crawler.pages.kr36.parse_article`` -> ``kr36``."""
    while isinstance(parser, functools.partial):
        parser = parser.func
    return str(getattr(parser, "__module__", "") or "").rsplit(".", 1)[-1] or "unknown"


class ArticleSpider(scrapy.Spider):
    """A spider that reads list or feed pages and follows each link to the full article.

    Subclasses set ``name``, ``source``, ``start_urls`` and the two parsers; they override
    ``parse`` only when a source needs more than list -> article.
    """

    source: str = ""
    list_parser: LinkParser
    article_parser: ArticleParser

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listed: set[str] = set()  # article ids this spider's lists gave: each link is followed once

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArticleSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, ArticleSpider)
        # A link's request or item can also end outside the spider's callbacks: counted where it ends.
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.callback_failed, signal=signals.spider_error)
        crawler.signals.connect(spider.item_failed, signal=signals.item_error)
        return spider

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        links = self.links_from(response, type(self).list_parser)
        for url in links:
            # ``article`` marks the requests incremental crawls may skip (crawler.incremental).
            yield response.follow(
                url,
                self.parse_article,
                cb_kwargs={"list_url": response.url},
                meta={"article": True},
                errback=self.article_failed,
            )

    def parse_article(self, response: Response, list_url: str | None = None) -> Iterator[ArticleItem]:
        yield from self.article_from(response, type(self).article_parser)

    def links_from(self, response: Response, parser: LinkParser, *, source: str | None = None) -> list[str]:
        """A list page's article links not listed before in this crawl, in page order; ``source``: multi-source spiders.

        ``found`` counts each article once however many lists link to it (the others are
        ``relisted``), so every link found ends in one counter (``crawler.tally``). A list that
        yields no link is counted as failed (``aidaily/list/failed/no_links``) unless it is a feed
        with no items at all (``aidaily/list/empty``); links a feed lists that are not this
        source's articles are counted (``aidaily/list/rejected_links``).
        """
        stats = self.crawler.stats
        source = source or self.source
        if TRUNCATED_FLAG in response.flags:
            # the links it has are still followed; the ones cut off are the loss counted here
            stats.inc_value("aidaily/list/failed/truncated")
            self.logger.warning("list page %s is truncated; following the links it has", response.url)
        try:
            found = parser(response.text, response.url)
        except ParseError as exc:
            stats.inc_value(f"aidaily/list/failed/{exc.reason}")
            self.logger.warning("list page %s not parsed: %s", response.url, exc)
            return []
        links = list(dict.fromkeys(found))
        listed: int | None = getattr(found, "listed", None)
        rejected: list[str] = list(getattr(found, "rejected", ()))
        ids = {url: article_id(canonicalize_url(url)) for url in links}  # the id incremental crawls look up
        first = [url for url in links if ids[url] not in self.listed]
        self.listed.update(ids.values())
        stats.inc_value("aidaily/list/pages")
        stats.inc_value("aidaily/articles/found", len(first))
        stats.inc_value(f"aidaily/source/{source}/found", len(first))
        if len(first) < len(links):
            stats.inc_value(f"aidaily/source/{source}/relisted", len(links) - len(first))
        if rejected:
            stats.inc_value("aidaily/list/rejected_links", len(rejected))
            stats.inc_value(f"aidaily/source/{source}/rejected_links", len(rejected))
        if links:
            if rejected:
                self.logger.info(
                    "list page %s: %d links are not %s articles (e.g. %s)",
                    response.url,
                    len(rejected),
                    source,
                    rejected[0],
                )
        elif listed == 0:
            stats.inc_value("aidaily/list/empty")
            self.logger.warning("feed %s lists no items", response.url)
        else:
            stats.inc_value("aidaily/list/failed/no_links")
            stats.inc_value(f"aidaily/source/{source}/no_links")
            shown = f"{listed} items, " if listed else ""
            example = f" (e.g. {rejected[0]})" if rejected else ""
            self.logger.warning(
                "list page %s: %s%d rejected links, no article link%s", response.url, shown, len(rejected), example
            )
        return first

    def article_from(
        self, response: Response, parser: ArticleParser, *, source: str | None = None, kind: str | None = None
    ) -> Iterator[ArticleItem]:
        """Run ``parser`` on an article page; a page that is not an article is counted, not raised.

        A page blocked by a verification wall or deleted is rejected. A page the site parser
        cannot read goes to the generic extractor (``aidaily/article/fallback/generic``); ``kind``
        is the kind such an article gets (``newsflash`` for 快讯 pages).
        """
        stats = self.crawler.stats
        source = source or self.source
        if TRUNCATED_FLAG in response.flags:
            self._skip(response, source, "truncated", "truncated after retries")
            return
        name = extractor_name(parser)
        try:
            item = parser(response.text, response.url)
        except (PageBlocked, ArticleGone) as exc:
            self._skip(response, source, exc.reason, str(exc))
            return
        except ParseError as exc:
            fallback = self._generic_instead(response, source, name, exc.reason, str(exc), kind)
            if fallback is None:
                return
            item, name = fallback, GENERIC
        except PARSER_FAILURES as exc:
            # a parser bug on an unexpected page: counted and logged in one line, the page degrades
            stats.inc_value(f"aidaily/article/parser_error/{type(exc).__name__}")
            detail = f"{type(exc).__name__}: {exc}"
            fallback = self._generic_instead(response, source, name, "parser_error", detail, kind)
            if fallback is None:
                return
            item, name = fallback, GENERIC
        item.extractor = name
        item.html_sha256 = hashlib.sha256(response.body).hexdigest()
        item.etag = (response.headers.get("ETag") or b"").decode("latin-1") or None
        item.last_modified = (response.headers.get("Last-Modified") or b"").decode("latin-1") or None
        item.served_at = served_at(response)
        now = item.served_at or datetime.now(SHANGHAI)
        if name != GENERIC and check_published(item.published_at, now=now)[0] is None:
            # no usable date from the site parser: the generic date finder looks at the page
            item.published_fallback = generic.page_date(response.text)
        yield item

    def _generic_instead(
        self, response: Response, source: str, site: str, reason: str, detail: str, kind: str | None
    ) -> ArticleItem | None:
        """The page by the generic extractor after its site parser failed; None (counted) when that fails too."""
        stats = self.crawler.stats
        if site == GENERIC:
            self._skip(response, source, reason, detail)
            return None
        try:
            item = generic.parse_article(response.text, response.url, source=source)
        except (PageBlocked, ArticleGone) as exc:
            self._skip(response, source, exc.reason, f"{exc} ({site} parser: {detail})")
            return None
        except ParseError as exc:
            self._skip(response, source, reason, f"{detail}; generic extractor: {exc}")
            return None
        if kind:
            item.kind = kind
        stats.inc_value("aidaily/article/fallback/generic")
        stats.inc_value(f"aidaily/source/{source}/fallback_generic")
        stats.inc_value(f"aidaily/article/site_failed/{reason}")  # why the site parser gave up (health, doctor)
        self.logger.warning(
            "article %s: %s parser failed (%s); stored from the generic extractor", response.url, site, detail
        )
        return item

    def _skip(self, response: Response, source: str, reason: str, detail: str) -> None:
        stats = self.crawler.stats
        stats.inc_value(f"aidaily/article/skipped/{reason}")
        stats.inc_value(f"aidaily/source/{source}/skipped")
        stats.inc_value(lost_key(source, reason))
        self.logger.warning("article %s skipped: %s", response.url, detail)

    def article_failed(self, failure: Failure) -> None:
        """Errback of article requests: a 304 is an unchanged article; any other failure loses the link, counted."""
        request: Request = failure.request  # type: ignore[attr-defined]  # Scrapy attaches it to errback failures
        source = source_of(request, self)
        stats = self.crawler.stats
        if failure.check(HttpError):
            status = failure.value.response.status
            if status == 304:  # asked conditionally by an incremental crawl: the stored copy is current
                stats.inc_value(f"aidaily/source/{source}/not_modified")
                return
            reason = f"http_{status}"
        else:
            reason = classify(failure.value)
        stats.inc_value(lost_key(source, reason))
        self.logger.warning("article %s not fetched: %s", request.url, reason)

    def request_dropped(self, request: Request) -> None:
        """An article request the scheduler refused: a redirect to a page another link already fetched."""
        if is_article_request(request):
            self.crawler.stats.inc_value(lost_key(source_of(request, self), DUPLICATE))

    def callback_failed(self, failure: Failure, response: Response) -> None:
        """A bug in an article callback (Scrapy logs its traceback): the link is lost, counted."""
        request = response.request
        if request is not None and is_article_request(request):
            self.crawler.stats.inc_value(lost_key(source_of(request, self), ERROR))

    def item_failed(self, item: Any, failure: Failure) -> None:
        """A bug in an item pipeline (Scrapy logs its traceback): the article is lost, counted."""
        source: str | None
        if isinstance(item, ArticleItem):
            source = item.source
        elif isinstance(item, dict) and "content_hash" in item:
            source = item.get("source")
        else:
            return  # a leaderboard snapshot: its own pipeline counts it
        self.crawler.stats.inc_value(lost_key(source or self.source, ERROR))
