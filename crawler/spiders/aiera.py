"""新智元 (WeChat account AI_era): a WeChat-to-RSS feed of the account, then each mp.weixin.qq.com article.

WeChat has no public list of an account's articles, so the list comes from a feed service
(wechat2rss, RSSHub); ``AIERA_FEED_URL`` names it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy

from crawler.pages import wechat
from crawler.spiders.base import ArticleSpider

DEFAULT_FEED_URL = "https://wechat2rss.xlab.app/feed/7131b577c61365cb47e81000738c10d872685908.xml"


class AieraSpider(ArticleSpider):
    """Reads the 新智元 feed named by the ``AIERA_FEED_URL`` setting and follows each article."""

    name = "aiera"
    source = "aiera"
    list_parser = staticmethod(wechat.parse_list)
    article_parser = staticmethod(wechat.parse_article)

    async def start(self) -> AsyncIterator[Any]:
        feed_url = self.settings.get("AIERA_FEED_URL") or DEFAULT_FEED_URL
        yield scrapy.Request(feed_url, callback=self.parse)
