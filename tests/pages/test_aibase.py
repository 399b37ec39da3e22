"""AIbase parser beyond the saved-page cases: Flight data and Nuxt payloads first, markup fallback, URL forms."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime

import pytest

from crawler.dates import parse_published
from crawler.pages import ParseError, aibase
from crawler.pages.nextjs import flight
from tests.saved_pages import PROJECT_PAGES, REAL_PAGES, SHARED_PAGES

PAGES = PROJECT_PAGES / "www.aibase.com" / "zh" / "news"
NOW = datetime.fromisoformat("2026-01-20T15:00:00+08:00")
URL = "https://www.aibase.com/zh/news/24663"
_FLIGHT = re.compile(r"<script>self\.__next_f\.push\(.*?\)</script>", re.S)
REAL_ARTICLE = SHARED_PAGES / "news.aibase.com" / "zh" / "news" / "30535"


def _page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def _with_payload(table: Sequence[object]) -> str:
    return f'<html><body><script type="application/json" id="__NUXT_DATA__">{json.dumps(table)}</script></body></html>'


def _push(text: str) -> str:
    return "<script>self.__next_f.push(" + json.dumps([1, text], ensure_ascii=False) + ")</script>"


def test_flight_text_rows_count_utf8_bytes_and_are_referenced_from_json() -> None:
    body = "<p>正文：中文按字节计长</p>"
    page = _push(f"1:T{len(body.encode('utf-8')):x},") + _push(body) + _push('2:{"summary":"$1","n":"$$1"}\n')
    rows = flight(page)
    record = rows.values["2"]
    assert rows.resolve(record["summary"]) == body
    assert rows.resolve(record["n"]) == "$1"  # "$$" escapes a literal dollar


def test_flight_text_row_whose_bytes_an_excerpt_dropped_leaves_the_next_rows_readable() -> None:
    page = _push("21:T1d87,") + _push("22:T7e0,") + _push('7:{"article":{"Id":1,"title":"t","summary":"$21"}}\n')
    rows = flight(page)
    assert rows.texts == {"21": "", "22": ""}
    assert rows.values["7"]["article"]["title"] == "t"


def test_flight_ignores_import_and_hint_rows() -> None:
    rows = flight(_push('4:I[9766,[],""]\n:HL["/_next/static/css/a.css","style"]\n5:null\n'))
    assert rows.values == {"5": None}


@pytest.mark.parametrize(
    ("href", "base", "canonical"),
    [
        # the forms found on real pages: list cards and related cards link /news/<id> relative to news.aibase.com
        ("/news/30698", "https://news.aibase.com/zh/news", "https://www.aibase.com/zh/news/30698"),
        ("https://news.aibase.com/zh/news/30535", None, "https://www.aibase.com/zh/news/30535"),
        # rel=canonical / og:url of the real article (written without a scheme on the page)
        ("https://www.aibase.com/zh/news/30535", None, "https://www.aibase.com/zh/news/30535"),
        ("/news/30700", "https://www.aibase.com/zh/news/30535", "https://www.aibase.com/zh/news/30700"),
        ("https://www.aibase.com/zh/news/30535/", None, "https://www.aibase.com/zh/news/30535"),
    ],
)
def test_every_real_article_link_form_has_one_canonical_url(href: str, base: str | None, canonical: str) -> None:
    from urllib.parse import urljoin

    assert aibase.article_url(urljoin(base, href) if base else href) == canonical


@pytest.mark.parametrize(
    "url",
    [
        "https://news.aibase.com/zh/daily/24660",
        "https://news.aibase.com/news",
        "https://app.aibase.com/zh/news/1",
        "https://www.aibase.com/search/AI眼镜&type=0",
    ],
)
def test_non_article_links_are_not_articles(url: str) -> None:
    assert aibase.article_url(url) is None


def test_aibase_nuxt_payload_resolves_wrappers_shared_values_and_specials() -> None:
    from crawler.pages.nuxt import nuxt_payload

    table = [{"data": 1, "path": 6}, ["ShallowReactive", 2], {"a": 3, "b": 3, "gone": -1}, {"list": 4}, [5], "x", "/zh"]
    assert nuxt_payload(_with_payload(table)) == {
        "data": {"a": {"list": ["x"]}, "b": {"list": ["x"]}, "gone": None},
        "path": "/zh",
    }


def test_aibase_broken_payload_is_a_parse_error() -> None:
    html = '<script type="application/json" id="__NUXT_DATA__">[{"data":</script>'
    with pytest.raises(ParseError) as info:
        aibase.parse_article(html, URL)
    assert info.value.reason == "bad_nuxt_data"


def test_aibase_nuxt_record_with_its_text_in_summary_is_read() -> None:
    # the news API (and the 2025 Nuxt pages) put the article HTML in ``summary``; there is no ``content``
    table = [
        {"data": 1},
        {"id": 2, "title": 3, "description": 4, "summary": 5, "addtime": 6, "tags": 7, "sourcename": 8, "author": 9},
        24663,
        "标题",
        "一句话摘要",
        "<p>第一段。</p><p>第二段。</p>",
        "2025-06-03 10:11:12",
        '["大模型"]',
        "AIbase基地",
        "",
    ]
    item = aibase.parse_article(_with_payload(table), URL)
    assert (item.body, item.summary, item.published_at) == ("第一段。\n第二段。", "一句话摘要", "2025-06-03 10:11:12")
    assert (item.author, item.tags) == ("AIbase基地", ["大模型"])


def test_aibase_record_wins_over_markup() -> None:
    html = _page("24663").replace('font-extrabold text-[#242424]">', 'font-extrabold text-[#242424]">标记里的旧标题')
    item = aibase.parse_article(html, URL)
    assert item.title == "百度文心大模型5.0正式版上线，原生全模态参数达2.4万亿"
    assert item.published_at == "2026-01-19 16:20:05"


def test_aibase_markup_fallback_reads_the_same_article() -> None:
    html = _page("24663")
    from_data = aibase.parse_article(html, URL)
    from_markup = aibase.parse_article(_FLIGHT.sub("", html), URL)
    assert (from_markup.title, from_markup.body, from_markup.author, from_markup.tags) == (
        from_data.title,
        from_data.body,
        from_data.author,
        from_data.tags,
    )
    # the page shows the day only
    assert from_markup.published_at == "Jan 19, 2026"


def test_aibase_relative_time_in_markup_counts_from_the_crawl() -> None:
    item = aibase.parse_article(_page("24688"), "https://www.aibase.com/zh/news/24688")
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
        24663,
        "百度文心大模型5.0正式版上线",
        "<p>本页的正文</p>",
        "2026-01-19 16:20:05",
    ]
    item = aibase.parse_article(_with_payload(table), URL)
    assert (item.title, item.body) == ("百度文心大模型5.0正式版上线", "本页的正文")


def test_aibase_flight_page_is_stored_under_its_canonical_url_whatever_host_served_it() -> None:
    item = aibase.parse_article(_page("24670"), "https://news.aibase.com/news/24670")
    assert item.url == "https://www.aibase.com/zh/news/24670"
    assert "相关新闻" not in item.body  # the related records in the same data are not this article


def test_aibase_list_without_data_falls_back_to_links() -> None:
    html = _page("index.html")
    links = aibase.parse_list(_FLIGHT.sub("", html), aibase.LIST_URL)
    assert links == aibase.parse_list(html, aibase.LIST_URL)
    assert "https://www.aibase.com/zh/daily/24660" not in links


def test_aibase_real_article_without_its_data_still_has_date_author_and_tags() -> None:
    if not REAL_ARTICLE.is_file():
        pytest.skip(f"{REAL_ARTICLE} is absent: ../shared is not on this machine")
    html = REAL_ARTICLE.read_text(encoding="utf-8")
    item = aibase.parse_article(_FLIGHT.sub("", html), "https://news.aibase.com/zh/news/30535")
    assert (item.published_at, item.author) == ("Aug 21, 2026", "AIbase基地")
    assert item.tags == ["雷鸟iO", "AI眼镜", "SmartCrown", "蓝湖光波导"]
    assert item.body.startswith("雷鸟创新（RayNeo）在2026雷鸟AI眼镜新品发布会上推出全新iO系列")


REAL_LIST = REAL_PAGES / "news.aibase.com" / "zh" / "news" / "index.html"


def test_real_list_text_row_is_framed_by_its_byte_length() -> None:
    # 1c:Taa1, is followed by 2,721 bytes of UTF-8 (1,321 characters) and then directly by row 7
    rows = flight(REAL_LIST.read_text(encoding="utf-8"))
    text = rows.texts["1c"]
    assert len(text.encode("utf-8")) == 0xAA1
    assert text.startswith("<p>腾讯混元团队今天正式发布全新一代旗舰模型预览版——Hy4preview。")
    assert text.endswith("持续带来正式版的升级。</p>")
    assert [r["Id"] for r in rows.values["7"][3]["children"][1][3]["children"][3]["initialArticles"]] == [
        30698,
        30697,
        30696,
    ]


def test_real_list_links_are_the_same_from_records_and_cards() -> None:
    html = REAL_LIST.read_text(encoding="utf-8")
    assert aibase.parse_list(html, "https://news.aibase.com/zh/news") == aibase.parse_list(
        _FLIGHT.sub("", html), "https://news.aibase.com/zh/news"
    )
