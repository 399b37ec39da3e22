"""Count every request's final outcome per source: answered, or why not (DNS, refused, timeout, HTTP, robots.txt).

``RequestOutcomeMiddleware`` sits on the engine side of robots.txt, retries and redirects, so it
sees each request once on the way out and only its last outcome on the way back: a page that
failed three tries and then answered counts as answered, one that never answered counts once,
with the reason of its last try. The figures land in the crawl stats as
``aidaily/fetch/<source>/requests`` and ``aidaily/fetch/<source>/<outcome>``, which
``crawler.health`` turns into the FAILED lines of a crawl's summary.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from scrapy.statscollectors import StatsCollector
from twisted.internet import error as tx_error
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.reachability import ANSWERED, FETCH_PREFIX, REQUESTS

# Which source a request belongs to when its spider feeds several (the rss spider: one per feed).
SOURCE_META = "aidaily_source"
# HTTP statuses that the request's spider answers with a fallback of its own, counted as answered:
# 机器之心's article API has no record of some articles (404) and the spider reads the article page
# instead, counting ``api_fallback``. Any other error status of such a request is still a failure.
HANDLED_STATUSES_META = "aidaily_handled_statuses"
_COUNTED = "aidaily_fetch_counted"

# The classes that name each reason, most specific first; causes are followed (Scrapy wraps Twisted's).
_REASONS: tuple[tuple[str, tuple[type[BaseException], ...]], ...] = (
    ("dns", (CannotResolveHostError, tx_error.DNSLookupError, socket.gaierror)),
    ("refused", (DownloadConnectionRefusedError, tx_error.ConnectionRefusedError, ConnectionRefusedError)),
    ("timeout", (DownloadTimeoutError, tx_error.TimeoutError, tx_error.TCPTimedOutError, TimeoutError)),
    (
        "lost",
        (
            ResponseNeverReceived,
            ResponseFailed,
            DownloadFailedError,
            ResponseDataLossError,
            tx_error.ConnectionLost,
            tx_error.ConnectionDone,
            ConnectionResetError,
        ),
    ),
    ("connect", (tx_error.ConnectError,)),
)


def classify(exc: BaseException) -> str:
    """The outcome name of a download exception: ``dns``, ``refused``, ``timeout``, ``lost``, ``robots``, ..."""
    if isinstance(exc, IgnoreRequest):
        return "robots" if "robots.txt" in str(exc) else "ignored"
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for name, classes in _REASONS:
        if any(isinstance(link, classes) for link in chain):
            return name
    return "error"


def source_of(request: Request, spider: Spider | None) -> str:
    """The source a request is for: its own ``aidaily_source`` meta, else its spider's source, else the spider."""
    explicit = request.meta.get(SOURCE_META)
    if explicit:
        return str(explicit)
    if spider is None:
        return "unknown"
    return str(getattr(spider, "source", "") or spider.name)


def is_robots_txt(request: Request) -> bool:
    """Whether ``request`` is robots.txt as Scrapy's RobotsTxtMiddleware asks for it (not a page of a source)."""
    return bool(request.meta.get("dont_obey_robotstxt")) and urlsplit(request.url).path == "/robots.txt"


class RequestOutcomeMiddleware:
    """Downloader middleware: per source, how many requests were sent and how each one ended."""

    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestOutcomeMiddleware:
        if not crawler.settings.getbool("FETCH_OUTCOMES_ENABLED", True):
            raise NotConfigured("FETCH_OUTCOMES_ENABLED is off")
        assert crawler.stats is not None
        return cls(crawler, crawler.stats)

    def process_request(self, request: Request) -> None:
        # A retry or redirect is a copy of the request with its meta: counted once, when first sent.
        if request.meta.get(_COUNTED) or is_robots_txt(request):
            return None
        request.meta[_COUNTED] = source_of(request, self.crawler.spider)
        self.stats.inc_value(f"{FETCH_PREFIX}{request.meta[_COUNTED]}/{REQUESTS}")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        source = request.meta.get(_COUNTED)
        if source:
            handled = response.status in request.meta.get(HANDLED_STATUSES_META, ())
            outcome = ANSWERED if response.status < 400 or handled else f"http_{response.status}"
            self.stats.inc_value(f"{FETCH_PREFIX}{source}/{outcome}")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        source = request.meta.get(_COUNTED)
        if source:
            self.stats.inc_value(f"{FETCH_PREFIX}{source}/{classify(exception)}")
        return None
