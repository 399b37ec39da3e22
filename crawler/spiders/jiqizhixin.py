"""机器之心: the article-library API and RSS feed, then each article's JSON endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.outcomes import HANDLED_STATUSES_META
from crawler.pages import jiqizhixin
from crawler.spiders.base import ArticleSpider


class JiqizhixinSpider(ArticleSpider):
    """Reads www.jiqizhixin.com's lists and fetches each article's full text as JSON.

    The article page is a JS app whose HTML usually lacks the text, so the spider asks the
    JSON endpoint the app itself calls; the item still carries the human article URL. When
    the endpoint answers with an HTTP error, the article page is tried instead (embedded
    state, else rendered markup).
    """

    name = "jiqizhixin"
    source = "jiqizhixin"
    allowed_domains = ["www.jiqizhixin.com"]
    start_urls = [jiqizhixin.LIST_API, jiqizhixin.FEED]
    list_parser = staticmethod(jiqizhixin.parse_list)
    article_parser = staticmethod(jiqizhixin.parse_article)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        for url in self.links_from(response, type(self).list_parser):
            yield scrapy.Request(
                jiqizhixin.detail_api_url(url),
                self.parse_article,
                errback=self.article_page_instead,
                cb_kwargs={"list_url": response.url},
                # no API record (404) is the usual reason to read the page instead: not a failed request
                meta={"article_url": url, HANDLED_STATUSES_META: (404,)},
            )

    def article_page_instead(self, failure: Failure) -> Iterator[scrapy.Request]:
        """After an HTTP error from the JSON endpoint, request the article page itself; any other failure loses it."""
        request = failure.request  # type: ignore[attr-defined]  # Scrapy attaches it to errback failures
        if not failure.check(HttpError) or failure.value.response.status == 304:  # 304: the stored copy is current
            self.article_failed(failure)
            return
        self.crawler.stats.inc_value(f"aidaily/source/{self.source}/api_fallback")
        yield scrapy.Request(
            request.meta["article_url"], self.parse_article, cb_kwargs=request.cb_kwargs, errback=self.article_failed
        )
