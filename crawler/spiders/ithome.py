"""IT之家 spider: the RSS feed, then each article's full page."""

from __future__ import annotations

from crawler.pages import ithome
from crawler.spiders.base import ArticleSpider


class IthomeSpider(ArticleSpider):
    """Articles the IT之家 RSS feed links to, each parsed from its page markup."""

    name = "ithome"
    source = ithome.SOURCE
    start_urls = ["https://www.ithome.com/rss/"]
    list_parser = staticmethod(ithome.parse_list)  # the feed, and channel pages when one is a start URL
    article_parser = staticmethod(ithome.parse_article)
