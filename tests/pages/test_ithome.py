"""IT之家 parser beyond the saved-page cases: GBK pages, date forms, in-body junk, bylines."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.dates import parse_published
from crawler.pages import ParseError, ithome

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages" / "www.ithome.com"
NOW = datetime.fromisoformat("2026-01-20T15:00:00+08:00")


def resolved(raw: str | None) -> str:
    """The date text as the normalise step resolves it, in ISO form."""
    value = parse_published(raw, now=NOW)
    assert value is not None, raw
    return value.isoformat()


GBK_URL = "https://www.ithome.com/0/915/418.htm"


def test_gbk_page_decodes_from_its_meta_charset_alone() -> None:
    raw = (PAGES / "0/915/418.htm").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    # no Content-Type header: Scrapy must find gb2312 in the page's own <meta>
    response = HtmlResponse(url=GBK_URL, body=raw)
    item = ithome.parse_article(response.text, response.url)
    assert item.title == "通义千问 App 上线 AI 眼镜联动功能，可实时识物翻译"
    assert item.author == "问舟"
    assert item.body.startswith("IT之家 1 月 20 日消息，阿里巴巴旗下通义千问 App 今日发布新版本")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026/1/20 13:32:05", "2026-01-20T13:32:05+08:00"),
        ("2026/1/20 9:05:12", "2026-01-20T09:05:12+08:00"),
        ("2026-01-19 21:47:30", "2026-01-19T21:47:30+08:00"),
    ],
)
def test_pubtime_forms(raw: str, expected: str) -> None:
    html = (PAGES / "0/915/391.htm").read_text(encoding="utf-8").replace("2026/1/20 13:32:05", raw)
    item = ithome.parse_article(html, "https://www.ithome.com/0/915/391.htm")
    assert item.published_at == raw
    assert resolved(item.published_at) == expected


def _article(body: str, meta: str = '<span id="author_baidu">作者：<strong>远洋</strong></span>') -> str:
    return (
        '<html><body><div id="dt"><h1>标题</h1>'
        f'<div class="cv"><span id="pubtime_baidu">2026/1/20 8:01:00</span>{meta}</div>'
        f'<div class="post_content" id="paragraph">{body}</div></div></body></html>'
    )


def test_related_reading_and_ad_declaration_are_not_body() -> None:
    html = _article(
        "<p>第一段。</p>"
        '<p><img src="//img.ithome.com/images/v2/t.png"'
        ' data-original="//img.ithome.com/newsuploadfiles/2026/1/a.jpg" /></p>'
        "<p>第二段。</p>"
        "<p>相关阅读：</p><ul><li>《另一篇文章》</li></ul>"
        '<p class="ad-tips">广告声明：文内含有的对外跳转链接……</p>'
    )
    item = ithome.parse_article(html, "https://www.ithome.com/0/915/500.htm")
    assert item.body == "第一段。\n第二段。"
    assert item.images == ["https://img.ithome.com/newsuploadfiles/2026/1/a.jpg"]


def test_editor_stands_in_for_a_missing_author() -> None:
    html = _article("<p>正文。</p>", meta='<span id="editor_baidu">责编：<strong>汪淼</strong></span>')
    assert ithome.parse_article(html, "https://www.ithome.com/0/915/501.htm").author == "汪淼"
    html = _article("<p>正文。</p>", meta="")
    assert ithome.parse_article(html, "https://www.ithome.com/0/915/501.htm").author is None


def test_page_without_article_body_is_rejected() -> None:
    with pytest.raises(ParseError) as info:
        ithome.parse_article("<html><body><h1>IT之家</h1></body></html>", "https://www.ithome.com/")
    assert info.value.reason == "no_body"


def test_feed_keeps_only_article_links() -> None:
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>IT之家</title>'
        "<item><link>https://www.ithome.com/0/915/391.htm</link></item>"
        "<item><link>https://www.ithome.com/0/915/391.htm</link></item>"
        "<item><link>https://lapin.ithome.com/html/digi/812345.htm</link></item>"
        "<item><link>https://www.ithome.com/0/915/402.htm?utm_source=rss</link></item>"
        "</channel></rss>"
    )
    assert ithome.parse_feed(feed, "https://www.ithome.com/rss/") == [
        "https://www.ithome.com/0/915/391.htm",
        "https://www.ithome.com/0/915/402.htm",
    ]
    with pytest.raises(ParseError):
        ithome.parse_feed("<html><body>维护中</body></html>", "https://www.ithome.com/rss/")
