"""Downloader middlewares."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response, TextResponse
from scrapy.statscollectors import StatsCollector

from crawler.mirror import mirror_url
from crawler.responses import TRUNCATED_FLAG, corrected_encoding, truncation, undecodable_bytes

logger = logging.getLogger(__name__)

_ORIGINAL = "mirror_original_url"


class MirrorMiddleware:
    """Send every request to the local mirror server while the rest of Scrapy sees real URLs.

    The URL is swapped on the request object itself just before download and swapped back on
    the way out: a new request would pass through the scheduler and dupe filter a second time.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MirrorMiddleware:
        base = crawler.settings.get("MIRROR_URL")
        if not base:
            # No message: every live crawl runs without a mirror, and Scrapy warns once per spider
            # for a NotConfigured that carries one.
            raise NotConfigured()
        return cls(base)

    def process_request(self, request: Request) -> None:
        if _ORIGINAL not in request.meta:
            request.meta[_ORIGINAL] = request.url
            request._set_url(mirror_url(self.base_url, request.url))
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        original = self._restore(request)
        return response.replace(url=original) if original else response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._restore(request)
        return None

    @staticmethod
    def _restore(request: Request) -> str | None:
        original = request.meta.pop(_ORIGINAL, None)
        if original:
            request._set_url(original)
        return original


class CharsetMiddleware:
    """Re-decode a text response whose declared charset cannot read it (a GBK page served as UTF-8).

    Scrapy believes the ``Content-Type`` header first; when that decodes the body to replacement
    characters, the page's own ``<meta charset>`` or a detected encoding that reads every byte is
    used instead (``crawler.responses.corrected_encoding``). Counted under ``aidaily/encoding/``.
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetMiddleware:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        # response.text is decoded once here and cached for the parser: a body that decodes
        # without replacement characters costs nothing more
        if not isinstance(response, TextResponse) or "\ufffd" not in response.text:
            return response
        fix = corrected_encoding(response)
        if fix is None:
            bad = undecodable_bytes(response)
            if bad:
                self.stats.inc_value("aidaily/encoding/undecodable")
                logger.warning(
                    "%s: %d byte sequences not %s and no other encoding reads them",
                    response.url,
                    bad,
                    response.encoding,
                )
            return response
        encoding, how = fix
        self.stats.inc_value("aidaily/encoding/corrected")
        logger.warning(
            "%s: declared charset %s does not decode the page; decoded as %s (%s)",
            response.url,
            response.encoding,
            encoding,
            how,
        )
        return response.replace(encoding=encoding)


class TruncatedResponseMiddleware:
    """Retry a response that was cut short; after the retries, flag it so it is never stored as complete.

    What counts as cut: ``crawler.responses.truncation`` (Scrapy's ``dataloss`` flag, which needs
    ``DOWNLOAD_FAIL_ON_DATALOSS = False``; an HTML page or feed never closed; JSON ending mid-value).
    Retries go through Scrapy's ``get_retry_request`` (``RETRY_TIMES``, ``retry/*`` stats); a
    response still cut after them carries the ``truncated`` flag, which the spiders count as
    ``aidaily/article/skipped/truncated`` or ``aidaily/list/failed/truncated``.
    """

    def __init__(self, crawler: Crawler, retry: bool) -> None:
        self.crawler = crawler
        self.retry = retry

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TruncatedResponseMiddleware:
        return cls(crawler, crawler.settings.getbool("RETRY_ENABLED"))

    def process_response(self, request: Request, response: Response) -> Request | Response:
        reason = truncation(response)
        if reason is None:
            return response
        stats = self.crawler.stats
        assert stats is not None and self.crawler.spider is not None
        stats.inc_value(f"aidaily/response/truncated/{reason}")
        # the warning below is the one line a reader needs; Scrapy's own give-up line would repeat it
        retry = (
            get_retry_request(
                request, spider=self.crawler.spider, reason=f"truncated_{reason}", give_up_log_level=logging.DEBUG
            )
            if self.retry
            else None
        )
        if retry is not None:
            return retry
        logger.warning("%s: still truncated (%s) after retries; not stored as complete", response.url, reason)
        return response.replace(flags=[*response.flags, TRUNCATED_FLAG])
