"""量子位: the WordPress RSS feed and the home page list, then each article page."""

from __future__ import annotations

from crawler.pages import qbitai
from crawler.spiders.base import ArticleSpider


class QbitaiSpider(ArticleSpider):
    """Follows www.qbitai.com's feed and home list to each article page.

    The feed's ``content:encoded`` is not used: the article page is the complete text.
    Both lists name mostly the same articles; Scrapy's dupe filter fetches each once.
    """

    name = "qbitai"
    source = "qbitai"
    allowed_domains = ["www.qbitai.com"]
    start_urls = [qbitai.FEED, qbitai.BASE + "/"]
    list_parser = staticmethod(qbitai.parse_list)
    article_parser = staticmethod(qbitai.parse_article)
