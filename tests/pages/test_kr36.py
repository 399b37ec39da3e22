"""36Kr parsers beyond the saved-page cases: state forms, markup fallback, lists, rejections."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from crawler.dates import parse_published
from crawler.pages import ArticleGone, PageBlocked, ParseError, kr36
from tests.saved_pages import REAL_PAGES, SHARED_PAGES

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages" / "36kr.com"
ARTICLE = "https://36kr.com/p/3648012458120705"
NOW = datetime.fromisoformat("2026-01-20T15:00:00+08:00")


def resolved(raw: str | None) -> str:
    """The date text as the normalise step resolves it, in ISO form."""
    value = parse_published(raw, now=NOW)
    assert value is not None, raw
    return value.isoformat()


_STATE_SCRIPT = re.compile(r"<script>window\.initialState=.*?</script>", re.S)


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def without_state(text: str) -> str:
    stripped, count = _STATE_SCRIPT.subn("", text)
    assert count == 1
    return stripped


def test_markup_fallback_reads_the_same_article_as_the_state() -> None:
    text = page("p/3648012458120705")
    from_state = kr36.parse_article(text, ARTICLE)
    from_markup = kr36.parse_article(without_state(text), ARTICLE)
    assert from_markup.title == from_state.title
    assert from_markup.body == from_state.body
    assert from_markup.author == from_state.author == "邱晓芬"
    assert from_markup.summary == from_state.summary
    # the state gives epoch milliseconds, the markup the minute it prints
    assert from_state.published_at == "1768872612000"
    assert from_markup.published_at == "2026-01-20 09:30"
    assert resolved(from_state.published_at) == "2026-01-20T09:30:12+08:00"


def test_truncated_state_falls_back_to_markup() -> None:
    text = page("p/3648003317482118")
    broken = text.replace('"widgetContent":"', '"widgetContent":', 1)  # no longer valid JSON
    assert kr36.read_state(broken) is None
    item = kr36.parse_article(broken, "https://36kr.com/p/3648003317482118")
    assert item.title == "智能眼镜扎堆CES之后：谁在真正出货？"
    assert "渠道是另一道门槛" in item.body


def test_state_forms() -> None:
    plain = {"articleDetail": {"articleDetailData": {"data": {"widgetTitle": "t"}}}}
    assert kr36.read_state(f"<script>window.initialState={json.dumps(plain)}</script>") == plain
    wrapped = json.dumps({"state": json.dumps(plain), "isEncrypt": False})
    assert kr36.read_state(f"<script>window.initialState={wrapped}</script>") == plain
    assert kr36.read_state('<script>window.initialState={"state":"q8Zx==","isEncrypt":true}</script>') is None
    assert kr36.read_state("<html><body>no state</body></html>") is None


def test_encrypted_article_keeps_body_images_from_markup() -> None:
    item = kr36.parse_article(page("p/3647951179013637"), "https://36kr.com/p/3647951179013637")
    assert item.images == [
        "https://img.36krcdn.com/hsossms/20260119/v2_c0ffee1234ab4cd5ef6789012345abcd@2096548_oswg71236oswg1080oswg720_img_png"
    ]
    assert "该文观点仅代表作者本人" not in item.body


def test_deleted_article_is_gone_and_an_empty_page_is_not_an_article() -> None:
    with pytest.raises(ArticleGone):
        kr36.parse_article(page("p/3647902886105600"), "https://36kr.com/p/3647902886105600")
    with pytest.raises(ParseError) as info:
        kr36.parse_article("<html><body><div class='kr-layout'>36氪</div></body></html>", ARTICLE)
    assert info.value.reason == "no_body"
    assert not isinstance(info.value, ArticleGone)


def test_waf_challenge_is_blocked() -> None:
    challenge = (
        "<html><head><script>var d=JSON.parse(atob('eyJhIjoxfQ==')),"
        "document.cookie='_wafchallengeid='+d;location.reload()</script></head><body></body></html>"
    )
    with pytest.raises(PageBlocked):
        kr36.parse_article(challenge, ARTICLE)
    with pytest.raises(PageBlocked):
        kr36.parse_newsflash(challenge, "https://36kr.com/newsflashes/3648100512365315")


def test_newsflash_list_dates_from_state_and_relative_dates_from_markup() -> None:
    text = page("newsflashes/index.html")
    from_state = kr36.newsflash_entries(text, "https://36kr.com/newsflashes")
    from_markup = kr36.newsflash_entries(without_state(text), "https://36kr.com/newsflashes")
    assert [e.url for e in from_markup] == [e.url for e in from_state]
    assert from_state[0].published_at == "1768890096000"
    assert [e.published_at for e in from_markup][:3] == ["38分钟前", "54分钟前", "3小时前"]
    assert resolved(from_markup[2].published_at) == "2026-01-20T12:00:00+08:00"
    # the hot-article list in the same state is not a 快讯
    assert all("/p/" not in e.url for e in from_state)


def test_newsflash_list_mobile_state() -> None:
    state = {
        "newsflashList": {
            "flow": {
                "itemList": [
                    {
                        "itemId": 11,
                        "templateMaterial": {"itemId": 11, "publishTime": 1768890096000, "widgetTitle": "a"},
                    },
                    {
                        "itemId": 11,
                        "templateMaterial": {"itemId": 11, "publishTime": 1768890096000, "widgetTitle": "a"},
                    },
                    {"templateMaterial": {"itemId": 12, "publishTime": 1768889000000, "widgetTitle": "b"}},
                ]
            }
        }
    }
    text = f"<script>window.initialState={json.dumps(state)}</script>"
    assert kr36.parse_newsflash_list(text, "https://36kr.com/newsflashes") == [
        "https://36kr.com/newsflashes/11",
        "https://36kr.com/newsflashes/12",
    ]


def test_newsflash_list_rejects_other_pages() -> None:
    with pytest.raises(ParseError):
        kr36.parse_newsflash_list("<html><body><p>404</p></body></html>", "https://36kr.com/newsflashes")


def test_short_newsflash_is_one_paragraph_without_the_next_teaser() -> None:
    item = kr36.parse_newsflash(page("newsflashes/3648088743096581"), "https://36kr.com/newsflashes/3648088743096581")
    assert item.kind == "newsflash"
    assert item.body == "现货黄金日内涨1.2%，站上4700美元/盎司，再创历史新高。"
    assert "A股午评" not in item.body


def test_feed_links_are_canonical_and_only_36kr_pages() -> None:
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>36氪</title>'
        "<item><link><![CDATA[https://36kr.com/p/1?f=rss]]></link></item>"
        "<item><link>https://36kr.com/p/1</link></item>"
        "<item><link>https://36kr.com/newsflashes/2?f=rss</link></item>"
        "<item><link>https://example.com/p/3</link></item>"
        "<item><link>https://36kr.com/video/4</link></item>"
        "</channel></rss>"
    )
    assert kr36.parse_feed(feed, "https://36kr.com/feed") == ["https://36kr.com/p/1", "https://36kr.com/newsflashes/2"]
    assert kr36.is_newsflash_url("https://36kr.com/newsflashes/2")
    assert not kr36.is_newsflash_url("https://36kr.com/p/1")
    with pytest.raises(ParseError):
        kr36.parse_feed("<html><body>not a feed</body></html>", "https://36kr.com/feed")


# Link forms seen on real pages and feeds; each names the page its canonical URL names.
REAL_LINK_FORMS = [
    # a 2018 feed item as feedly stored it (older RSS): http, .html and ktm_source
    ("http://36kr.com/p/5148901.html?ktm_source=feed", "https://36kr.com/p/5148901"),
    # the same tracker on a www. link, as a public reading list cites it
    ("https://www.36kr.com/p/5293547?ktm_source=feed", "https://36kr.com/p/5293547"),
    # today's feed marks its links ?f=rss
    ("https://36kr.com/p/3648012458120705?f=rss", "https://36kr.com/p/3648012458120705"),
    ("https://36kr.com/newsflashes/3648100512365315?f=rss", "https://36kr.com/newsflashes/3648100512365315"),
    # the real article page's nav links www.36kr.com; its cards and the AI channel link /p/<id>
    ("https://www.36kr.com/p/2492318105786505", "https://36kr.com/p/2492318105786505"),
    ("/p/3919487554498185", "https://36kr.com/p/3919487554498185"),
    # the real article's mobile alternate (<link rel="alternate" media="only screen and(max-width: 640px)">)
    ("https://m.36kr.com/p/3919391204415360", "https://36kr.com/p/3919391204415360"),
]


@pytest.mark.parametrize(("link", "canonical"), REAL_LINK_FORMS)
def test_every_real_item_link_form_is_accepted_and_canonical(link: str, canonical: str) -> None:
    assert kr36.item_url(link if link.startswith("http") else "https://36kr.com" + link) == canonical


@pytest.mark.parametrize(
    "link",
    ["https://36kr.com/information/AI/", "https://36kr.com/user/6154646", "https://36kr.com/topics/799051634713857",
     "https://img.36krcdn.com/p/123", "https://36kr.com/p/", "https://36kr.com/video/4"],
)  # fmt: skip
def test_other_36kr_links_are_not_items(link: str) -> None:
    assert kr36.item_url(link) is None


def test_a_feed_of_old_links_yields_its_articles() -> None:
    # An older feed linked /p/<id>.html?ktm_source=feed: every item used to be dropped, silently.
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>36氪</title>'
        "<item><link>http://36kr.com/p/5148901.html?ktm_source=feed</link></item>"
        "<item><link>http://36kr.com/p/5147302.html?ktm_source=feed</link></item>"
        "</channel></rss>"
    )
    assert kr36.parse_feed(feed, "https://36kr.com/feed") == [
        "https://36kr.com/p/5148901",
        "https://36kr.com/p/5147302",
    ]


REAL_ARTICLE = SHARED_PAGES / "36kr.com" / "p" / "3919391204415360"


def test_real_article_markup_fallback_keeps_title_byline_summary_and_disclaimer_out() -> None:
    if not REAL_ARTICLE.is_file():
        pytest.skip(f"{REAL_ARTICLE} is absent: ../shared is not on this machine")
    html = REAL_ARTICLE.read_text(encoding="utf-8")
    url = "https://36kr.com/p/3919391204415360"
    from_state = kr36.parse_article(html, url)
    # what the parser sees when the state is encrypted: the same page without a readable state
    stripped = re.sub(r"window\.initialState=\{.*?\}</script>", "</script>", html, flags=re.S)
    assert kr36.read_state(stripped) is None
    from_markup = kr36.parse_article(stripped, url)
    assert from_markup.body == from_state.body
    assert (from_markup.title, from_markup.author, from_markup.summary) == (
        from_state.title,
        from_state.author,
        from_state.summary,
    )
    assert resolved(from_markup.published_at) == resolved(from_state.published_at) == "2026-07-31T22:00:00+08:00"
    for chrome in ("该文观点仅代表作者本人", "具身研习社·", "世界模型让生命科学即将进入“可计算演化”时代。"):
        assert chrome not in from_markup.body


REAL_AI_LIST = REAL_PAGES / "36kr.com" / "information" / "AI" / "index.html"
# The demo day's AI channel, built by hand in the real capture's markup and state.
AI_LIST = PAGES / "information" / "AI" / "index.html"


@pytest.mark.parametrize(
    ("path", "first"),
    [(REAL_AI_LIST, "https://36kr.com/p/3919391204415360"), (AI_LIST, "https://36kr.com/p/3647987650215433")],
    ids=["real", "hand-built"],
)
def test_ai_channel_list_reads_the_same_links_from_state_and_cards(path: Path, first: str) -> None:
    html = path.read_text(encoding="utf-8")
    from_state = kr36.parse_information_list(html, kr36.AI_LIST_URL)
    stripped, count = re.subn(r"window\.initialState=\{.*?\}</script>", "</script>", html, flags=re.S)
    assert count == 1
    from_cards = kr36.parse_information_list(stripped, kr36.AI_LIST_URL)
    assert from_state == from_cards
    assert from_state[0] == first


def test_hand_built_ai_channel_has_the_real_pages_state_and_cards() -> None:
    def shape(path: Path) -> tuple[set[str], set[str]]:
        html = path.read_text(encoding="utf-8")
        items = kr36.read_state(html)["information"]["informationList"]["itemList"]  # type: ignore[index]
        material = {key for item in items for key in item["templateMaterial"]}
        cards = set(re.findall(r'class="(kr-flow-[\w-]+|article-item-[\w-]+)', html))
        return material | {key for item in items for key in item}, cards

    assert shape(AI_LIST) == shape(REAL_AI_LIST)


def test_a_page_that_is_no_channel_list_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        kr36.parse_information_list("<html><body><h1>404</h1></body></html>", kr36.AI_LIST_URL)
