"""User RSS/Atom feeds from the sources file: each feed's items, then each page by the generic extractor."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings

from crawler.items import ArticleItem
from crawler.outcomes import SOURCE_META
from crawler.pages import feed as feed_pages
from crawler.pages import generic
from crawler.spiders.base import ArticleSpider
from crawler.userfeeds import FeedSource, feed_source_names, load_feeds, sources_file_path


class RssSpider(ArticleSpider):
    """Crawls every enabled feed of the sources file (``AIDAILY_SOURCES_FILE``); each feed is its own source."""

    name = "rss"
    source = "rss"  # never stored: every item carries its feed's id

    def __init__(self, *args: Any, feeds: list[FeedSource] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.feeds = feeds or []

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Read the sources file once, before the pipelines are built, so they know the feeds' names."""
        super().update_settings(settings)
        path = sources_file_path(settings.get("AIDAILY_SOURCES_FILE", ""), settings.get("AIDAILY_DATA_DIR", "."))
        feeds = load_feeds(Path(path))
        settings.set("RSS_FEEDS", [dataclasses.asdict(f) for f in feeds], priority="spider")
        names = {**settings.getdict("SOURCE_NAMES"), **feed_source_names(feeds)}
        settings.set("SOURCE_NAMES", names, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> RssSpider:
        feeds = [FeedSource(**entry) for entry in crawler.settings.getlist("RSS_FEEDS")]
        kwargs.setdefault("feeds", [f for f in feeds if f.enabled])
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, RssSpider)
        if not spider.feeds:
            spider.logger.info("no enabled feeds in the sources file; nothing to crawl")
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for feed in self.feeds:
            yield scrapy.Request(feed.url, self.parse_feed, cb_kwargs={"feed": feed}, meta={SOURCE_META: feed.id})

    def parse_feed(self, response: Response, feed: FeedSource) -> Iterator[scrapy.Request]:
        entries: dict[str, feed_pages.FeedEntry] = {}

        def entry_links(text: str, url: str) -> feed_pages.FeedLinks:
            listed = feed_pages.parse_entries(text, url)
            for entry in listed[: feed.max_items]:
                entries[entry.url] = entry
            return feed_pages.FeedLinks(entries, listed=len(listed))

        for url in self.links_from(response, entry_links, source=feed.id):
            entry = entries[url]
            yield response.follow(
                url,
                self.parse_article,
                errback=self.article_failed,
                meta={SOURCE_META: feed.id},  # each feed is its own source in the request counts
                cb_kwargs={
                    "list_url": response.url,
                    "feed_id": feed.id,
                    "feed_published": entry.published,
                    "feed_title": entry.title,
                },
            )

    def parse_article(
        self,
        response: Response,
        list_url: str | None = None,
        feed_id: str = "",
        feed_published: str | None = None,
        feed_title: str | None = None,
    ) -> Iterator[ArticleItem]:
        parser = partial(generic.parse_article, source=feed_id, published=feed_published, title=feed_title)
        yield from self.article_from(response, parser, source=feed_id)
