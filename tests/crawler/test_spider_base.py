"""The spider plumbing on real responses: every page is stored, degraded or counted; nothing vanishes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from scrapy.http import HtmlResponse, TextResponse

from crawler.items import ArticleItem
from crawler.pages import ParseError, generic, ithome, kr36, wechat
from crawler.responses import TRUNCATED_FLAG
from crawler.spiders.base import ArticleSpider, extractor_name
from tests.crawler.demo_spider import spider, stat
from tests.saved_pages import PROJECT_PAGES

ITHOME = PROJECT_PAGES / "www.ithome.com/0/915/391.htm"
ITHOME_URL = "https://www.ithome.com/0/915/391.htm"
FEED = (PROJECT_PAGES / "www.ithome.com/rss/index.html").read_text(encoding="utf-8")
FEED_ITEMS = FEED.count("<item>")


def response(body: str | bytes, url: str = ITHOME_URL, **kwargs: Any) -> HtmlResponse:
    data = body.encode("utf-8") if isinstance(body, str) else body
    headers = {"Content-Type": "text/html; charset=utf-8", **kwargs.pop("headers", {})}
    return HtmlResponse(url=url, body=data, headers=headers, **kwargs)


def articles(s: ArticleSpider, resp: HtmlResponse, parser: Callable[..., ArticleItem], **kwargs: Any) -> list:
    return list(s.article_from(resp, parser, **kwargs))


def test_a_site_page_names_its_extractor_and_the_time_it_was_served() -> None:
    s = spider()
    resp = response(ITHOME.read_bytes(), headers={"Date": "Tue, 20 Jan 2026 07:00:00 GMT"})
    [item] = articles(s, resp, ithome.parse_article)
    assert item.extractor == "ithome"
    assert item.served_at is not None and item.served_at.isoformat() == "2026-01-20T15:00:00+08:00"
    assert item.published_fallback is None  # the site parser's date is fine: the finder is not asked


def test_a_page_the_site_parser_cannot_read_goes_to_the_generic_extractor() -> None:
    # a redesign renamed the article container: the IT之家 parser finds no body
    page = ITHOME.read_text(encoding="utf-8").replace('class="post_content" id="paragraph"', 'class="news-body"')
    s = spider()
    [item] = articles(s, response(page), ithome.parse_article)
    assert item.extractor == "generic"
    assert item.title == "微软 Copilot 推出“深度思考”模式：免费用户每天可用 10 次"
    assert "免费用户每天可使用 10 次深度思考" in item.body
    assert item.source == "ithome"
    assert stat(s, "aidaily/article/fallback/generic") == 1
    assert stat(s, "aidaily/source/ithome/fallback_generic") == 1
    assert stat(s, "aidaily/article/skipped/no_body") is None


def test_a_parser_crash_on_an_odd_page_degrades_too() -> None:
    def broken(text: str, url: str) -> ArticleItem:
        return {}["widgetContent"]  # type: ignore[no-any-return]  # what an unexpected JSON shape raises

    s = spider()
    [item] = articles(s, response(ITHOME.read_bytes()), broken)
    assert item.extractor == "generic"
    assert stat(s, "aidaily/article/parser_error/KeyError") == 1


def test_a_fallback_keeps_the_kind_the_spider_asked_for() -> None:
    page = ITHOME.read_text(encoding="utf-8")
    [item] = articles(
        spider(), response(page, url="https://36kr.com/newsflashes/1"), kr36.parse_newsflash, kind="newsflash"
    )
    assert item.extractor == "generic" and item.kind == "newsflash"


def test_verification_and_deleted_pages_are_rejected_not_degraded() -> None:
    page = (PROJECT_PAGES / "mp.weixin.qq.com/s/Vq8nT3kLm5RzX2pW6yHcBw").read_bytes()
    s = spider()
    assert (
        articles(s, response(page, url="https://mp.weixin.qq.com/s/Vq8nT3kLm5RzX2pW6yHcBw"), wechat.parse_article) == []
    )
    assert stat(s, "aidaily/article/skipped/wechat_verify") == 1
    assert stat(s, "aidaily/article/fallback/generic") is None


def test_a_page_neither_extractor_reads_is_skipped_with_the_site_reason() -> None:
    s = spider()
    assert articles(s, response("<html><body><nav>首页</nav></body></html>"), ithome.parse_article) == []
    assert stat(s, "aidaily/article/skipped/no_body") == 1
    assert stat(s, "aidaily/source/ithome/skipped") == 1


def test_a_page_still_truncated_after_its_retries_is_never_stored() -> None:
    s = spider()
    cut = response(ITHOME.read_bytes()[:3000], flags=[TRUNCATED_FLAG])
    assert articles(s, cut, ithome.parse_article) == []
    assert stat(s, "aidaily/article/skipped/truncated") == 1


def test_no_date_from_the_site_parser_asks_the_generic_date_finder() -> None:
    page = ITHOME.read_text(encoding="utf-8")
    page = page.replace('<span id="pubtime_baidu">2026/1/20 13:32:05</span>', "")
    page = page.replace(
        "</head>", '<meta property="article:published_time" content="2026-01-20T13:32:05+08:00">\n</head>'
    )
    [item] = articles(spider(), response(page), ithome.parse_article)
    assert item.published_at is None
    assert item.published_fallback == "2026-01-20T13:32:05+08:00"


def test_a_2099_date_asks_the_generic_date_finder() -> None:
    page = ITHOME.read_text(encoding="utf-8").replace("2026/1/20 13:32:05", "2099/1/1 08:00:00")
    page = page.replace(
        "</head>",
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2026-01-20T13:32:05+08:00"}</script>\n</head>',
    )
    [item] = articles(spider(), response(page), ithome.parse_article)
    assert item.published_at == "2099/1/1 08:00:00"
    assert item.published_fallback == "2026-01-20T13:32:05+08:00"


def links(s: ArticleSpider, body: str, parser: Callable[..., Any], url: str = "https://www.ithome.com/rss/") -> list:
    resp = TextResponse(url, body=body.encode("utf-8"), headers={"Content-Type": "text/xml; charset=utf-8"})
    return s.links_from(resp, parser)


def test_a_feed_whose_links_are_all_rejected_is_a_failed_list() -> None:
    moved = FEED.replace("https://www.ithome.com/0/915/", "https://www.ithome.com/news/2026/")
    s = spider()
    assert links(s, moved, ithome.parse_feed) == []
    assert stat(s, "aidaily/list/failed/no_links") == 1
    assert stat(s, "aidaily/source/ithome/no_links") == 1
    assert stat(s, "aidaily/list/rejected_links") == FEED_ITEMS
    assert stat(s, "aidaily/source/ithome/found") == 0


def test_a_feed_with_no_items_is_empty_not_failed() -> None:
    empty = FEED.split("<item>", 1)[0] + "</channel></rss>"
    s = spider()
    assert links(s, empty, ithome.parse_feed) == []
    assert stat(s, "aidaily/list/empty") == 1
    assert stat(s, "aidaily/list/failed/no_links") is None


def test_rejected_links_beside_good_ones_are_counted() -> None:
    extra = "<item><title>专题</title><link>https://www.ithome.com/zt/ai/</link></item>\n</channel>"
    s = spider()
    assert len(links(s, FEED.replace("</channel>", extra), ithome.parse_feed)) == FEED_ITEMS
    assert stat(s, "aidaily/list/rejected_links") == 1
    assert stat(s, "aidaily/list/failed/no_links") is None


def test_an_html_list_without_article_links_is_a_failed_list() -> None:
    def no_links(text: str, url: str) -> list[str]:
        return []

    s = spider()
    assert links(s, "<html><body><ul class='news'></ul></body></html>", no_links) == []
    assert stat(s, "aidaily/list/failed/no_links") == 1


def test_a_list_parse_error_is_counted() -> None:
    def fails(text: str, url: str) -> list[str]:
        raise ParseError("not_a_list", url)

    s = spider()
    assert links(s, "<html></html>", fails) == []
    assert stat(s, "aidaily/list/failed/not_a_list") == 1


@pytest.mark.parametrize(
    ("parser", "name"),
    [
        (ithome.parse_article, "ithome"),
        (kr36.parse_newsflash, "kr36"),
        (wechat.parse_article, "wechat"),
        (functools.partial(generic.parse_article, source="blog"), "generic"),
    ],
)
def test_extractor_names(parser: Callable[..., Any], name: str) -> None:
    assert extractor_name(parser) == name
