"""AIbase parser beyond the saved-page cases: the devalue payload, JSON first, markup fallback."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest

from crawler.dates import parse_published
from crawler.pages import ParseError, aibase

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages" / "news.aibase.com"
NOW = datetime.fromisoformat("2026-01-20T15:00:00+08:00")
URL = "https://news.aibase.com/zh/news/24651"
_PAYLOAD = re.compile(r'<script type="application/json"[^>]*id="__NUXT_DATA__">.*?</script>', re.S)


def _page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def _with_payload(table: Sequence[object]) -> str:
    return f'<html><body><script type="application/json" id="__NUXT_DATA__">{json.dumps(table)}</script></body></html>'


def test_aibase_devalue_payload_resolves_wrappers_shared_values_and_specials() -> None:
    table = [{"data": 1, "path": 6}, ["ShallowReactive", 2], {"a": 3, "b": 3, "gone": -1}, {"list": 4}, [5], "x", "/zh"]
    assert aibase.nuxt_payload(_with_payload(table)) == {
        "data": {"a": {"list": ["x"]}, "b": {"list": ["x"]}, "gone": None},
        "path": "/zh",
    }


def test_aibase_broken_payload_is_a_parse_error() -> None:
    html = '<script type="application/json" id="__NUXT_DATA__">[{"data":</script>'
    with pytest.raises(ParseError) as info:
        aibase.parse_article(html, URL)
    assert info.value.reason == "bad_nuxt_data"


def test_aibase_json_wins_over_markup() -> None:
    html = _page("zh/news/24651").replace(
        '<h1 class="text-3xl font-bold leading-snug">', '<h1 class="text-3xl">标记里的旧标题'
    )
    item = aibase.parse_article(html, URL)
    assert item.title == "OpenAI宣布将在ChatGPT免费版和Go版测试广告"
    assert item.published_at == "2026-01-17 09:45:21"


def test_aibase_markup_fallback_reads_the_same_article() -> None:
    html = _page("zh/news/24651")
    from_json = aibase.parse_article(html, URL)
    from_markup = aibase.parse_article(_PAYLOAD.sub("", html), URL)
    assert (from_markup.title, from_markup.body, from_markup.author) == (
        from_json.title,
        from_json.body,
        from_json.author,
    )
    assert from_markup.published_at == "2026-01-17 09:45"


def test_aibase_relative_time_in_markup_counts_from_the_crawl() -> None:
    item = aibase.parse_article(_page("zh/news/24688"), "https://news.aibase.com/zh/news/24688")
    assert item.published_at == "3小时前"
    assert parse_published(item.published_at, now=NOW) == datetime.fromisoformat("2026-01-20T12:00:00+08:00")


def test_aibase_takes_the_record_of_its_own_url() -> None:
    # a related item with full content comes first in the payload; the page's own id decides
    table = [
        {"data": 1},
        {"related": 2, "detail": 7},
        {"id": 3, "title": 4, "content": 5, "addtime": 6},
        24612,
        "xAI完成200亿美元E轮融资",
        "<p>相关新闻的正文</p>",
        "2026-01-16 15:30:02",
        {"id": 8, "title": 9, "content": 10, "addtime": 11},
        24651,
        "OpenAI宣布将在ChatGPT免费版和Go版测试广告",
        "<p>本页的正文</p>",
        "2026-01-17 09:45:21",
    ]
    item = aibase.parse_article(_with_payload(table), URL)
    assert (item.title, item.body) == ("OpenAI宣布将在ChatGPT免费版和Go版测试广告", "本页的正文")


def test_aibase_list_without_payload_falls_back_to_links() -> None:
    html = _PAYLOAD.sub("", _page("zh/news/index.html"))
    links = aibase.parse_list(html, "https://news.aibase.com/zh/news")
    assert links == aibase.parse_list(_page("zh/news/index.html"), "https://news.aibase.com/zh/news")
    assert "https://news.aibase.com/zh/daily/24660" not in links
