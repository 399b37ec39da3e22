"""量子位 parser cases beyond the saved-page comparison: end matter, lazy images, list filtering."""

from __future__ import annotations

import pytest
from parsel import Selector

from crawler.items import ArticleItem
from crawler.pages import ParseError, qbitai
from tests.saved_pages import PROJECT_PAGES, REAL_PAGES

PAGES = PROJECT_PAGES / "www.qbitai.com"
REAL_HOME = REAL_PAGES / "www.qbitai.com" / "index.html"


def article(post_id: str) -> ArticleItem:
    url = f"https://www.qbitai.com/2026/01/{post_id}.html"
    return qbitai.parse_article((PAGES / f"2026/01/{post_id}.html").read_text(encoding="utf-8"), url)


def test_end_matter_after_wan_is_dropped_with_its_qr_code() -> None:
    item = article("391204")
    assert item.body.split("\n")[-1] == "论文地址：https://arxiv.org/abs/2601.07372"
    assert not any("qrcode" in src for src in item.images)
    assert "凹非寺" not in item.body and "QbitAI" not in item.body


def test_figure_caption_and_quote_are_kept() -> None:
    lines = article("391204").body.split("\n")
    assert "条件记忆层（右）与标准MoE结构（左）对比，图源：DeepSeek论文" in lines
    assert "我们认为，知识的存储与推理的计算应当被解耦，前者交给廉价的内存，后者交给昂贵的算力。" in lines


def test_lazy_images_use_data_src_not_the_placeholder() -> None:
    images = article("391187").images
    assert images == [
        "https://i.qbitai.com/wp-content/uploads/2026/01/qianwen-app-1.png",
        "https://i.qbitai.com/wp-content/uploads/2026/01/qianwen-app-2.png",
    ]


def test_date_and_time_spans_are_joined() -> None:
    item = article("390988")
    assert (item.author, item.published_at) == ("明敏", "2026-01-19 18:05:33")


def test_real_home_list_takes_the_featured_articles_and_the_list_not_tag_or_author_links() -> None:
    html = REAL_HOME.read_text(encoding="utf-8")
    links = qbitai.parse_list(html, "https://www.qbitai.com/")
    assert all(qbitai.is_article_url(link) for link in links)
    assert len(links) == len(set(links)) == 10
    # the carousel and the picture box feature articles that the list below leaves out
    assert links[:3] == [
        "https://www.qbitai.com/2026/07/464169.html",
        "https://www.qbitai.com/2026/07/463640.html",
        "https://www.qbitai.com/2026/07/460892.html",
    ]


def test_hand_built_home_keeps_the_banner_once_the_featured_article_and_no_event() -> None:
    links = qbitai.parse_list((PAGES / "index.html").read_text(encoding="utf-8"), "https://www.qbitai.com/")
    assert links == [
        "https://www.qbitai.com/2026/01/391204.html",  # the carousel's, then again in the list: once
        "https://www.qbitai.com/2026/01/391150.html",  # only in the picture box, not in the list
        "https://www.qbitai.com/2026/01/391187.html",
        "https://www.qbitai.com/2026/01/390988.html",
    ]  # the 活动 slide and the 活动 list item link /category/huodong: no article


@pytest.mark.parametrize(
    "region",
    [
        ".gundong .swiper-wrapper .swiper-slide > a .carousel-caption h3",
        ".page_top .pic_box > a h4 span",
        ".main.index_page .article_list .picture_text .picture a img.wp-post-image",
        ".article_list .picture_text .text_box h4 a",
        ".article_list .picture_text .text_box .info span.author a",
        ".article_list .picture_text .text_box .info span.time",
        ".article_list .picture_text .text_box .info .tags_s a[rel=tag]",
    ],
)
def test_hand_built_home_has_the_regions_of_the_real_home(region: str) -> None:
    for path in (REAL_HOME, PAGES / "index.html"):
        assert Selector(text=path.read_text(encoding="utf-8")).css(region), f"{path}: no {region}"


def test_list_links_to_categories_and_events_are_not_articles() -> None:
    html = (
        '<div class="gundong"><div class="swiper-slide"><a href="https://www.qbitai.com/category/huodong">活动</a></div></div>'
        '<div class="article_list"><div class="picture_text"><div class="text_box"><h4>'
        '<a href="https://www.qbitai.com/meet/meet2026/">MEET大会</a></h4></div></div></div>'
    )
    assert qbitai.parse_list(html, "https://www.qbitai.com/") == []


def test_page_without_article_region_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as err:
        qbitai.parse_article(
            "<html><body><h1>404 页面不存在</h1></body></html>", "https://www.qbitai.com/2026/01/1.html"
        )
    assert err.value.reason == "no_body"


def test_rss_without_channel_is_not_a_feed() -> None:
    with pytest.raises(ParseError):
        qbitai.parse_list('<?xml version="1.0"?><rss version="2.0"></rss>', qbitai.FEED)
