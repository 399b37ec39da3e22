"""36Kr spiders: articles from the RSS feed and the AI channel list, and 快讯 from the 快讯 list page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawler.items import ArticleItem
from crawler.pages import kr36
from crawler.spiders.base import ArticleSpider


class Kr36Spider(ArticleSpider):
    """Articles (and the few 快讯) that 36Kr's RSS feed and AI channel link to, each from its full page."""

    name = "36kr"
    source = kr36.SOURCE
    start_urls = [kr36.FEED_URL, kr36.AI_LIST_URL]
    list_parser = staticmethod(kr36.parse_feed)
    article_parser = staticmethod(kr36.parse_article)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        is_channel = urlsplit(response.url).path.startswith("/information/")
        parser = kr36.parse_information_list if is_channel else kr36.parse_feed
        for url in self.links_from(response, parser):
            # the feed mixes articles with 快讯, whose pages hold their text elsewhere
            callback = self.parse_newsflash if kr36.is_newsflash_url(url) else self.parse_article
            yield response.follow(url, callback, cb_kwargs={"list_url": response.url}, errback=self.article_failed)

    def parse_newsflash(
        self, response: Response, list_url: str | None = None, listed_at: str | None = None
    ) -> Iterator[ArticleItem]:
        for item in self.article_from(response, kr36.parse_newsflash, kind="newsflash"):
            # a 快讯 page without its state may show no date; the list's own date stands in
            if item.published_at is None:
                item.published_at = listed_at
            yield item


class Kr36NewsflashSpider(Kr36Spider):
    """快讯 from the list page, each fetched from its own page (the list only shows a teaser)."""

    name = "36kr_newsflash"
    start_urls = ["https://36kr.com/newsflashes"]
    list_parser = staticmethod(kr36.parse_newsflash_list)
    article_parser = staticmethod(kr36.parse_newsflash)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        links = self.links_from(response, kr36.parse_newsflash_list)
        if not links:
            return
        # links_from succeeded, so the list parses; read it again for the dates it shows
        dates = {entry.url: entry.published_at for entry in kr36.newsflash_entries(response.text, response.url)}
        for url in links:
            yield response.follow(
                url,
                self.parse_newsflash,
                cb_kwargs={"list_url": response.url, "listed_at": dates.get(url)},
                errback=self.article_failed,
            )
