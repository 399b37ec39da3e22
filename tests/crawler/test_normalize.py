"""Normalisation keeps what the parser read: plain text stays text, one-line titles, http(s) images, possible dates."""

from __future__ import annotations

from datetime import datetime

import pytest
from scrapy.utils.test import get_crawler

from crawler.dates import SHANGHAI
from crawler.items import ArticleItem
from crawler.normalize import normalize_article, page_images
from crawler.pages import oschina
from crawler.pipelines.normalize import NormalizePipeline

FETCHED = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)  # a crawl long after the page was saved
SAVED = datetime(2026, 1, 20, 15, 0, tzinfo=SHANGHAI)
BODY = "智谱今天发布了新一代基座模型，在多项评测中领先。"


def item(**kwargs: object) -> ArticleItem:
    fields: dict = {"url": "https://www.oschina.net/news/1", "source": "oschina", "title": "标题", "body": BODY}
    return ArticleItem(**(fields | kwargs))


def test_plain_text_that_looks_like_markup_is_kept() -> None:
    body = "Java 里的 List<String> 不能放 int。\n在 Markdown 里写 &lt;img&gt; 会显示成 <img>。\n<p>是段落标签"
    doc = normalize_article(item(body=body), fetched_at=FETCHED)
    assert doc["body"] == body


def test_a_code_heavy_oschina_article_keeps_its_code() -> None:
    page = (
        "<html><body><div class='article-box'><h1 class='article-box__title'>Rust 2026 发布</h1>"
        "<div class='article-box__meta'><div class='item-list'><div class='item'>2026-01-20 10:32</div></div></div>"
        "<div class='article-detail'><div class='content'>"
        "<p>新版本让泛型写法更短：</p><pre><code>let xs: Vec&lt;String&gt; = vec![];\n"
        'println!("&lt;img src=x&gt;");</code></pre><p>详情见发布说明。</p>'
        "</div></div></div></body></html>"
    )
    doc = normalize_article(oschina.parse_article(page, "https://www.oschina.net/news/1"), fetched_at=FETCHED)
    assert "let xs: Vec<String> = vec![];" in doc["body"]
    assert 'println!("<img src=x>");' in doc["body"]


def test_titles_authors_and_tags_are_one_line() -> None:
    doc = normalize_article(
        item(title="DeepSeek 开源\n  推理模型\r\nR2", author="张三\n李四", tags=["大\n模型"]), fetched_at=FETCHED
    )
    assert doc["title"] == "DeepSeek 开源 推理模型 R2"
    assert doc["author"] == "张三 李四"
    assert doc["tags"] == ["大 模型"]


def test_only_http_images_are_kept_relative_ones_resolved() -> None:
    images = [
        "javascript:void(0)",
        "data:image/gif;base64,R0lGOD",
        "//img.example.cn/a.jpg",
        "/b.png",
        "c.webp",
        "https://img.example.cn/a.jpg",
        " https://img.example.cn/d.jpg ",
        "blob:https://x/1",
        "",
    ]
    assert page_images(images, "https://36kr.com/p/1") == [
        "https://img.example.cn/a.jpg",
        "https://36kr.com/b.png",
        "https://36kr.com/p/c.webp",
        "https://img.example.cn/d.jpg",
    ]
    assert normalize_article(item(images=images), fetched_at=FETCHED)["images"][0] == "https://img.example.cn/a.jpg"


def test_relative_dates_count_from_when_the_page_was_served() -> None:
    doc = normalize_article(item(published_at="3小时前", served_at=SAVED), fetched_at=FETCHED)
    assert doc["published_at"] == datetime(2026, 1, 20, 12, 0, tzinfo=SHANGHAI)
    assert doc["fetched_at"] == FETCHED  # the crawl time stays the real one
    yesterday = normalize_article(item(published_at="昨天 18:05", served_at=SAVED), fetched_at=FETCHED)
    assert yesterday["published_at"] == datetime(2026, 1, 19, 18, 5, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("raw", "fallback", "published", "flags"),
    [
        ("2099-01-01 00:00", None, None, ["future_date", "missing_date"]),
        ("2099-01-01 00:00", "2026-01-20T13:32:00+08:00", "2026-01-20T13:32:00+08:00", ["future_date", "generic_date"]),
        ("今天 25:00", None, None, ["unreadable_date", "missing_date"]),
        (None, "2026-01-20 09:05", "2026-01-20T09:05:00+08:00", ["generic_date"]),
        (None, None, None, ["missing_date"]),
        ("2026-01-20 13:32", "2026-01-19 08:00", "2026-01-20T13:32:00+08:00", []),
    ],
)
def test_impossible_dates_are_refused_and_flagged(
    raw: str | None, fallback: str | None, published: str | None, flags: list[str]
) -> None:
    doc = normalize_article(item(published_at=raw, published_fallback=fallback, served_at=SAVED), fetched_at=FETCHED)
    assert (doc["published_at"].isoformat() if doc["published_at"] else None) == published
    assert doc["date_flags"] == flags
    if raw and not published:
        assert doc["published_raw"] == raw  # the refused text stays visible


def test_the_normalise_pipeline_counts_date_problems() -> None:
    crawler = get_crawler()
    crawler.stats.open_spider()
    pipeline = NormalizePipeline.from_crawler(crawler)
    pipeline.process_item(item(published_at="2099-01-01 00:00", published_fallback="2026-01-20 09:00"))
    pipeline.process_item(item(url="https://www.oschina.net/news/2", published_at="今天 25:00"))
    value = crawler.stats.get_value
    assert value("aidaily/date/future") == 1 and value("aidaily/source/oschina/future_date") == 1
    assert value("aidaily/date/generic") == 1 and value("aidaily/source/oschina/generic_date") == 1
    assert value("aidaily/date/unreadable") == 1 and value("aidaily/source/oschina/unreadable_date") == 1
