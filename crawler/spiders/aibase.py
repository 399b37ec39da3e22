"""AIbase news: the Chinese news list, then each article (both read from the Nuxt payload)."""

from __future__ import annotations

from crawler.pages import aibase
from crawler.spiders.base import ArticleSpider


class AibaseSpider(ArticleSpider):
    """Follows news.aibase.com's news list to each article."""

    name = "aibase"
    source = "aibase"
    start_urls = ["https://news.aibase.com/zh/news"]
    list_parser = staticmethod(aibase.parse_list)
    article_parser = staticmethod(aibase.parse_article)
