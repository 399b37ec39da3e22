"""机器之心 parser cases beyond the saved-page comparison: URL mapping, JSON sources, fallbacks."""

from __future__ import annotations

import json

import pytest

from crawler.pages import ArticleGone, ParseError, jiqizhixin
from tests.saved_pages import PROJECT_PAGES

PAGES = PROJECT_PAGES / "www.jiqizhixin.com"
API_A = "https://www.jiqizhixin.com/api/article_library/articles/2026-01-20-3.json"


def read(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_slug_and_api_url_round_trip() -> None:
    page = "https://www.jiqizhixin.com/articles/2026-01-20-3"
    assert jiqizhixin.slug_of(page) == "2026-01-20-3"
    assert jiqizhixin.detail_api_url(page) == API_A
    assert jiqizhixin.slug_of(API_A) == "2026-01-20-3"
    assert jiqizhixin.slug_of("https://www.jiqizhixin.com/reports") is None
    with pytest.raises(ValueError):
        jiqizhixin.detail_api_url("https://www.jiqizhixin.com/")


def test_api_response_is_stored_under_the_human_url() -> None:
    item = jiqizhixin.parse_article(read("api/article_library/articles/2026-01-20-3.json"), API_A)
    assert item.url == "https://www.jiqizhixin.com/articles/2026-01-20-3"
    assert item.published_at == "2026-01-20 14:21:07"
    assert item.author == "机器之心"


def test_sign_off_and_masthead_are_cut_but_quote_and_caption_kept() -> None:
    item = jiqizhixin.parse_article(read("api/article_library/articles/2026-01-20-3.json"), API_A)
    lines = item.body.split("\n")
    assert lines[0].startswith("1 月 20 日，月之暗面正式发布")
    assert lines[-1].endswith("还有待开发者进一步检验。")
    assert "「过去一年我们最大的认知变化是：上下文长度本身不是目标，能在长上下文里稳定推理才是。」" in lines
    assert any(line.startswith("图 1：Kimi K3") for line in lines)
    assert "THE END" not in item.body and "编辑：" not in item.body


def test_embedded_state_wins_over_markup() -> None:
    state = {
        "article": {"title": "状态里的标题", "content": "<p>状态里的正文。</p>", "published_at": "2026-01-20 09:00:00"}
    }
    page = (
        '<html><body><h1 class="detail__title">页面标题</h1><div class="detail__info-body"><p>页面正文。</p></div>'
        f"<script>window.__INITIAL_STATE__={json.dumps(state, ensure_ascii=False)};</script></body></html>"
    )
    item = jiqizhixin.parse_article(page, "https://www.jiqizhixin.com/articles/2026-01-20-9")
    assert (item.title, item.body) == ("状态里的标题", "状态里的正文。")


def test_markup_fallback_reads_lazy_images_and_relative_time() -> None:
    item = jiqizhixin.parse_article(read("articles/2026-01-19-7"), "https://www.jiqizhixin.com/articles/2026-01-19-7")
    assert item.published_at == "昨天 18:05"
    assert item.images and all(src.startswith("https://image.jiqizhixin.com/") for src in item.images)
    assert "GALBOT G2 在药店场景中根据处方取药（图源：银河通用）" in item.body.split("\n")
    assert "相关推荐" not in item.body and "宇树科技" not in item.body


def test_page_without_state_or_markup_is_a_parse_error() -> None:
    shell = '<html><body><div id="app"></div><script src="/app.js"></script></body></html>'
    with pytest.raises(ParseError) as err:
        jiqizhixin.parse_article(shell, "https://www.jiqizhixin.com/articles/2026-01-20-9")
    assert err.value.reason in {"no_title", "no_body"}


def test_api_error_objects() -> None:
    with pytest.raises(ArticleGone):
        jiqizhixin.parse_article('{"success": false, "message": "文章不存在"}', API_A)
    with pytest.raises(ParseError) as err:
        jiqizhixin.parse_article('{"title": "只有标题"}', API_A)
    assert err.value.reason == "no_body"
    with pytest.raises(ParseError) as err:
        jiqizhixin.parse_article("{not json", API_A)
    assert err.value.reason == "bad_json"


def test_feed_lists_a_repeated_article_once() -> None:
    links = jiqizhixin.parse_list(read("rss"), jiqizhixin.FEED)
    assert links.count("https://www.jiqizhixin.com/articles/2026-01-20-3") == 1
    assert len(links) == 4


def test_list_api_without_articles_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as err:
        jiqizhixin.parse_list('{"success": true}', jiqizhixin.LIST_API)
    assert err.value.reason == "no_articles"
