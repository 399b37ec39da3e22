"""``RequestOutcomeMiddleware``: an error status the spider handles with a fallback is an answer, not a failure."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from crawler.outcomes import HANDLED_STATUSES_META, RequestOutcomeMiddleware
from crawler.reachability import fetch_figures


class JiqizhixinLike(Spider):
    name = "jiqizhixin"
    source = "jiqizhixin"


@pytest.mark.parametrize(
    ("status", "meta", "answered", "failed"),
    [
        (404, {HANDLED_STATUSES_META: (404,)}, 1, {}),  # no API record: the spider reads the page instead
        (500, {HANDLED_STATUSES_META: (404,)}, 0, {"http_500": 1}),  # the API is failing: still a failure
        (404, {}, 0, {"http_404": 1}),
        (200, {}, 1, {}),
    ],
)
def test_a_status_the_spider_handles_is_counted_as_answered(
    status: int, meta: dict[str, object], answered: int, failed: dict[str, int]
) -> None:
    crawler = get_crawler(JiqizhixinLike)
    crawler.spider = JiqizhixinLike.from_crawler(crawler)
    middleware = RequestOutcomeMiddleware.from_crawler(crawler)
    request = Request("https://www.jiqizhixin.com/api/article_library/articles/x.json", meta=dict(meta))
    middleware.process_request(request)
    middleware.process_response(request, Response(request.url, status=status, request=request))
    assert crawler.stats is not None
    fetch = fetch_figures(crawler.stats.get_stats())["jiqizhixin"]
    assert (fetch.requests, fetch.answered, fetch.failed) == (1, answered, failed)
