"""AIbase news: the Chinese news list, then each article (read from the Next.js Flight data)."""

from __future__ import annotations

from crawler.pages import aibase
from crawler.spiders.base import ArticleSpider


class AibaseSpider(ArticleSpider):
    """Follows AIbase's Chinese news list to each article, at its canonical www.aibase.com URL."""

    name = "aibase"
    source = "aibase"
    start_urls = [aibase.LIST_URL]
    list_parser = staticmethod(aibase.parse_list)
    article_parser = staticmethod(aibase.parse_article)
