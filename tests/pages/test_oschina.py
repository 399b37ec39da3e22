"""开源中国 parser beyond the saved-page cases: list filtering, in-text notices and ads, failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.pages import ParseError, oschina

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages" / "www.oschina.net"
LIST_URL = "https://www.oschina.net/news/industry"


def _page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_oschina_list_keeps_news_only_once_each() -> None:
    links = oschina.parse_list(_page("news/industry"), LIST_URL)
    # the pinned item repeats a list item; the blog post, the Gitee project and the sidebar are not news
    assert links.count("https://www.oschina.net/news/391251") == 1
    assert not [link for link in links if "my.oschina.net" in link or "gitee.com" in link]
    assert "https://www.oschina.net/news/391100" not in links
    # a relative href is resolved against the list page
    assert "https://www.oschina.net/news/391234" in links


def test_oschina_notice_inside_text_and_ad_are_dropped() -> None:
    item = oschina.parse_article(
        _page("news/391240/pytorch-2-10-released"), "https://www.oschina.net/news/391240/pytorch-2-10-released"
    )
    assert item.body.endswith("https://github.com/pytorch/pytorch/releases/tag/v2.10.0")
    assert "本站新闻禁止" not in item.body
    item = oschina.parse_article(_page("news/391234"), "https://www.oschina.net/news/391234")
    assert "Gitee AI" not in item.body
    assert item.images == []


def test_oschina_date_is_the_meta_item_that_looks_like_one() -> None:
    item = oschina.parse_article(_page("news/391251"), "https://www.oschina.net/news/391251")
    assert item.published_at == "2026-01-20 14:05:40"
    assert item.author == "白开水不加糖"
    assert item.tags == ["Qwen", "语音合成", "阿里云"]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<html><body><h1>404</h1><p>您访问的页面不存在</p></body></html>", "no_title"),
        ('<html><body><h1 class="article-box__title">标题</h1></body></html>', "no_body"),
    ],
)
def test_oschina_non_article_pages_raise(html: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        oschina.parse_article(html, "https://www.oschina.net/news/391190")
    assert info.value.reason == reason
