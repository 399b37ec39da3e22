"""开源中国 news: the 综合资讯 list page, then each news article."""

from __future__ import annotations

from crawler.pages import oschina
from crawler.spiders.base import ArticleSpider


class OschinaSpider(ArticleSpider):
    """Follows the news list of www.oschina.net to each news article."""

    name = "oschina"
    source = "oschina"
    start_urls = ["https://www.oschina.net/news/industry"]
    list_parser = staticmethod(oschina.parse_list)
    article_parser = staticmethod(oschina.parse_article)
