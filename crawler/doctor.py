"""``aidaily doctor``: run the real spiders through Scrapy's downloader, one article per source, and record every page.

The spiders run as they do in a crawl — their start URLs, list and article parsers, errbacks
(机器之心's API fallback) — with ``DoctorMiddleware`` added: on the spider side it holds back the
article links and, once every list has answered, requests one per source — the first link of the
first start URL's list (the newest, as lists are ordered) — and records what each callback made
of its page; on the engine side of the downloader it records requests that got no
response. Nothing is stored: no pipelines, no database. ``crawler.diagnosis`` turns the pages into
OK/FAIL lines and saves the failing ones in the mirror layout.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request, Response
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.dates import SHANGHAI
from crawler.diagnosis import ARTICLE, DATA, LIST, Page
from crawler.health import LEADERBOARD_FAILED, LIST_FAILED, SITE_FAILED
from crawler.items import ArticleItem
from crawler.normalize import normalize_article
from crawler.outcomes import classify, is_robots_txt, source_of
from crawler.spiders.base import ArticleSpider

# Sent with every recorded page; ``run_doctor`` collects them.
page_checked = object()
# The parser's rejections, counted while a callback reads one page (see DoctorMiddleware.process_spider_output).
REJECTIONS = (LIST_FAILED, "aidaily/article/skipped/", SITE_FAILED, LEADERBOARD_FAILED)


def doctor_settings(settings: Settings) -> None:
    """A crawl that fetches and parses but stores nothing, with the doctor's middleware in place."""
    cmdline = "cmdline"
    settings.set("DOCTOR_ENABLED", True, priority=cmdline)
    spider_mws = settings.getdict("SPIDER_MIDDLEWARES") | {"crawler.doctor.DoctorMiddleware": 1100}
    downloader_mws = settings.getdict("DOWNLOADER_MIDDLEWARES") | {"crawler.doctor.DoctorMiddleware": 70}
    settings.set("SPIDER_MIDDLEWARES", spider_mws, priority=cmdline)
    settings.set("DOWNLOADER_MIDDLEWARES", downloader_mws, priority=cmdline)
    for name, value in {
        "ITEM_PIPELINES": {},
        "ADDONS": {},  # no embedded database: nothing is stored
        "CRAWL_RUNS_ENABLED": False,
        "INCREMENTAL": False,
        "HTTPCACHE_ENABLED": False,
        "RETRY_TIMES": 1,  # a check, not a crawl: one retry tells a blip from a failure
        "LOG_INSTALL_ROOT_HANDLER": False,
    }.items():
        settings.set(name, value, priority=cmdline)


def run_doctor(settings: Settings, names: Iterable[str], *, quiet: bool = True) -> list[Page]:
    """Run the named spiders the doctor's way; every page they fetched or failed to, in arrival order.

    ``quiet`` keeps Scrapy's own log (and its download tracebacks) off the screen: every failure it
    would log is in the verdict.
    """
    doctor_settings(settings)
    pages: list[Page] = []

    def collect(page: Page) -> None:
        pages.append(page)

    with _quiet_log(quiet):
        process = CrawlerProcess(settings)
        for name in names:
            crawler = process.create_crawler(name)
            crawler.signals.connect(collect, signal=page_checked, weak=False)
            process.crawl(crawler)
        process.start()
    return pages


def _engine_noise(record: logging.LogRecord) -> bool:
    """Keep a spider's warnings; drop Scrapy's and Twisted's log, whose failures the verdict reports."""
    if record.name.split(".")[0] in ("scrapy", "twisted", "py"):
        return record.levelno >= logging.CRITICAL
    return record.levelno >= logging.WARNING


@contextlib.contextmanager
def _quiet_log(quiet: bool) -> Iterator[None]:
    handlers = list(logging.getLogger().handlers) if quiet else []
    for handler in handlers:
        handler.addFilter(_engine_noise)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(_engine_noise)


def _role(meta: dict[str, Any], spider: Spider | None) -> str:
    if not isinstance(spider, ArticleSpider):
        return DATA
    return LIST if meta.get("depth", 0) == 0 else ARTICLE


def _headers(response: Response) -> dict[str, str]:
    return {key.decode("latin-1"): b", ".join(values).decode("latin-1") for key, values in response.headers.items()}


class DoctorMiddleware:
    """Spider and downloader middleware of ``aidaily doctor``: one article per source, every page recorded."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        # Per source, the article links its lists gave, ranked (list's place among the start URLs, place
        # in the list); the best is requested once every list has answered, so the choice does not
        # depend on which list page arrived first.
        self.candidates: dict[str, list[tuple[int, int, Request]]] = {}
        self.taken: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DoctorMiddleware:
        if not crawler.settings.getbool("DOCTOR_ENABLED"):
            raise NotConfigured("DOCTOR_ENABLED is off")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        return middleware

    def spider_idle(self) -> None:
        """Every list has been read: request each source's newest article (the first list's first link)."""
        assert self.crawler.engine is not None
        chosen = False
        for source, found in sorted(self.candidates.items()):
            if source in self.taken or not found:
                continue
            self.taken.add(source)
            request = min(found, key=lambda c: c[:2])[2]
            request.meta["depth"] = 1  # held back here, it never passed DepthMiddleware: an article page
            self.crawler.engine.crawl(request)
            chosen = True
        if chosen:
            raise DontCloseSpider

    def _list_rank(self, response: Response) -> int:
        spider = self.crawler.spider
        starts = list(getattr(spider, "start_urls", []) or [])
        first_url = (response.meta.get("redirect_urls") or [response.url])[0]
        return starts.index(first_url) if first_url in starts else len(starts)

    def _send(self, page: Page) -> None:
        self.crawler.signals.send_catch_log(signal=page_checked, page=page)

    def _page(self, response: Response) -> Page:
        spider = self.crawler.spider
        return Page(
            spider=spider.name if spider else "",
            source=source_of(response.request, spider) if response.request else "",
            url=response.url,
            role=_role(response.meta, spider),
            status=response.status,
            headers=_headers(response),
            body=response.body,
        )

    def _rejections(self) -> dict[str, int]:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        return {k: v for k, v in stats.items() if k.startswith(REJECTIONS) and isinstance(v, int)}

    # --- downloader side: a request that got no response ---

    def process_exception(self, request: Request, exception: Exception) -> None:
        if is_robots_txt(request):
            return None
        spider = self.crawler.spider
        self._send(
            Page(
                spider=spider.name if spider else "",
                source=source_of(request, spider),
                url=request.url,
                role=_role(request.meta, spider),
                error=classify(exception),
            )
        )
        return None

    # --- spider side: what the callback made of a page ---

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        page = self._page(response)
        iterator = aiter(result)
        while True:
            # Counted around each step of the callback alone: no other page is parsed in between.
            before = self._rejections()
            try:
                out = await anext(iterator)
            except StopAsyncIteration:
                self._add_rejections(page, before)
                break
            except Exception as exc:  # the doctor's job is to report a parser that raises, with its page
                page.crash = f"{type(exc).__name__}: {exc}"
                break
            self._add_rejections(page, before)
            if isinstance(out, Request):
                if page.role == LIST:
                    source = source_of(out, self.crawler.spider)
                    self.candidates.setdefault(source, []).append((self._list_rank(response), page.links, out))
                    page.links += 1
                    continue
                yield out  # a follow-up of the chosen article (an API's fallback page)
            elif isinstance(out, ArticleItem):
                try:
                    page.article = normalize_article(out, fetched_at=datetime.now(SHANGHAI))
                except Exception as exc:  # reported with the page, like a parser that raises
                    page.crash = f"{type(exc).__name__} while normalising: {exc}"
            else:
                page.items += 1
        self._send(page)

    def _add_rejections(self, page: Page, before: dict[str, int]) -> None:
        for key, value in self._rejections().items():
            if value > before.get(key, 0):
                reason = key.rsplit("/", 1)[-1]
                page.rejected[reason] = page.rejected.get(reason, 0) + value - before.get(key, 0)

    def process_spider_exception(self, response: Response, exception: Exception) -> Iterable[Any]:
        """An HTTP error with no errback, or a callback that raised before its first result: recorded, handled."""
        page = self._page(response)
        if not isinstance(exception, HttpError):
            page.crash = f"{type(exception).__name__}: {exception}"
        self._send(page)
        return []
