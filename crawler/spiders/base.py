"""Shared spider plumbing: call a pure page parser on a response and account for failures."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.items import ArticleItem
from crawler.pages import ParseError

ArticleParser = Callable[[str, str], ArticleItem]
LinkParser = Callable[[str, str], Iterable[str]]


class ArticleSpider(scrapy.Spider):
    """A spider that reads list or feed pages and follows each link to the full article.

    Subclasses set ``name``, ``source``, ``start_urls`` and the two parsers; they override
    ``parse`` only when a source needs more than list -> article.
    """

    source: str = ""
    list_parser: LinkParser
    article_parser: ArticleParser

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        links = self.links_from(response, type(self).list_parser)
        for url in links:
            # ``article`` marks the requests incremental crawls may skip (crawler.incremental).
            yield response.follow(url, self.parse_article, cb_kwargs={"list_url": response.url}, meta={"article": True})

    def parse_article(self, response: Response, list_url: str | None = None) -> Iterator[ArticleItem]:
        yield from self.article_from(response, type(self).article_parser)

    def links_from(self, response: Response, parser: LinkParser, *, source: str | None = None) -> list[str]:
        """Article links of a list page, each once, in page order; ``source`` for multi-source spiders."""
        stats = self.crawler.stats
        source = source or self.source
        try:
            links = list(dict.fromkeys(parser(response.text, response.url)))
        except ParseError as exc:
            stats.inc_value(f"aidaily/list/failed/{exc.reason}")
            self.logger.warning("list page %s not parsed: %s", response.url, exc)
            return []
        stats.inc_value("aidaily/list/pages")
        stats.inc_value("aidaily/articles/found", len(links))
        stats.inc_value(f"aidaily/source/{source}/found", len(links))
        if not links:
            self.logger.warning("list page %s has no article links", response.url)
        return links

    def article_from(
        self, response: Response, parser: ArticleParser, *, source: str | None = None
    ) -> Iterator[ArticleItem]:
        """Run ``parser`` on an article page; a page that is not an article is counted, not raised."""
        stats = self.crawler.stats
        source = source or self.source
        try:
            item = parser(response.text, response.url)
        except ParseError as exc:
            stats.inc_value(f"aidaily/article/skipped/{exc.reason}")
            stats.inc_value(f"aidaily/source/{source}/skipped")
            self.logger.warning("article %s skipped: %s", response.url, exc)
            return
        item.html_sha256 = hashlib.sha256(response.body).hexdigest()
        item.etag = response.headers.get("ETag", b"").decode("latin-1") or None
        item.last_modified = response.headers.get("Last-Modified", b"").decode("latin-1") or None
        yield item
