"""Downloader middlewares."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from crawler.mirror import mirror_url

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
            raise NotConfigured("MIRROR_URL is not set")
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
