"""WeChat (新智元) parser and spider beyond the saved-page cases: notice pages, times, lazy images, feeds."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.pages import ArticleGone, PageBlocked, ParseError, wechat
from crawler.spiders.aiera import DEFAULT_FEED_URL, AieraSpider

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
PAGES = FIXTURES / "mp.weixin.qq.com"
FEED = FIXTURES / "wechat2rss.xlab.app" / "feed" / "7131b577c61365cb47e81000738c10d872685908.xml"
URL = "https://mp.weixin.qq.com/s/9bXq2LmR7TkPz4vN1cYwHg"


def _page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_weixin_verification_markers() -> None:
    assert wechat.is_verification_page("环境异常\n当前环境异常，完成验证后即可继续访问。\n去验证")
    assert not wechat.is_verification_page(wechat.parse_article(_page("s/9bXq2LmR7TkPz4vN1cYwHg"), URL).body)
    assert all(wechat.is_verification_page(marker) for marker in wechat.VERIFICATION_MARKERS)


@pytest.mark.parametrize(
    ("head", "error"),
    [
        ("该内容已被发布者删除", ArticleGone),
        ("此内容因违规无法查看", ArticleGone),
        ("当前环境异常，完成验证后即可继续访问。", PageBlocked),
    ],
)
def test_weixin_notice_pages_raise(head: str, error: type[ParseError]) -> None:
    html = f'<html><body><div class="weui-msg"><h2 class="weui-msg__title">{head}</h2></div></body></html>'
    with pytest.raises(error):
        wechat.parse_article(html, URL)


def test_weixin_article_quoting_a_marker_is_still_an_article() -> None:
    html = _page("s/9bXq2LmR7TkPz4vN1cYwHg").replace(
        "论文作者名单的最后", "网友调侃「该内容已被发布者删除」。论文作者名单的最后"
    )
    assert "该内容已被发布者删除" in wechat.parse_article(html, URL).body


def test_weixin_hidden_content_and_lazy_images() -> None:
    html = _page("s/9bXq2LmR7TkPz4vN1cYwHg")
    assert 'id="js_content" style="visibility: hidden;"' in html
    item = wechat.parse_article(html, URL)
    assert item.images and all(src.startswith("https://mmbiz.qpic.cn/") for src in item.images)
    assert "&amp;" not in item.images[0]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('var ct = "1768890720";', "1768890720"),
        ("var cgiData = { create_time: JsDecode('1768890720') };", "1768890720"),
        ('var create_time = "1768890720" * 1;', "1768890720"),
    ],
)
def test_weixin_publish_time_from_scripts(script: str, expected: str) -> None:
    html = (
        '<html><body><h1 id="activity-name">标题</h1><div id="js_content"><p>正文</p></div>'
        f"<script>{script}</script></body></html>"
    )
    assert wechat.parse_article(html, URL).published_at == expected


def test_weixin_feed_links_are_canonical_articles_only() -> None:
    links = wechat.parse_list(FEED.read_text(encoding="utf-8"), DEFAULT_FEED_URL)
    assert len(links) == 5
    assert not [link for link in links if "chksm" in link or "#" in link or "appmsgalbum" in link]


def test_weixin_atom_feed() -> None:
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>新智元</title>'
        '<entry><title>a</title><link href="https://mp.weixin.qq.com/s/abc"/></entry>'
        '<entry><title>b</title><link href="https://example.com/s/abc"/></entry></feed>'
    )
    assert wechat.parse_list(atom, "https://rsshub.example/wechat/aiera") == ["https://mp.weixin.qq.com/s/abc"]


async def _first_request(spider: AieraSpider) -> str:
    async for request in spider.start():
        return str(request.url)
    raise AssertionError("no start request")


@pytest.mark.parametrize("setting", [None, "https://rsshub.example/wechat/mp/aiera"])
def test_weixin_spider_reads_the_feed_setting(setting: str | None) -> None:
    crawler = get_crawler(AieraSpider, {"AIERA_FEED_URL": setting} if setting else {})
    spider = AieraSpider.from_crawler(crawler)
    assert asyncio.run(_first_request(spider)) == (setting or DEFAULT_FEED_URL)
