"""An IT之家 feed spider on a test crawler: the spider plumbing exercised without the engine."""

from __future__ import annotations

from typing import Any

from scrapy.utils.test import get_crawler

from crawler.pages import ithome
from crawler.spiders.base import ArticleSpider


class DemoSpider(ArticleSpider):
    name = "demo"
    source = "ithome"
    list_parser = staticmethod(ithome.parse_feed)
    article_parser = staticmethod(ithome.parse_article)


def spider() -> DemoSpider:
    """A fresh DemoSpider whose crawler's stats are open."""
    crawler = get_crawler(DemoSpider)
    crawler.stats.open_spider()
    made = DemoSpider.from_crawler(crawler)
    assert isinstance(made, DemoSpider)
    return made


def stat(s: ArticleSpider, key: str) -> Any:
    return s.crawler.stats.get_value(key)
