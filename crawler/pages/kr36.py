"""36Kr (36氪): the RSS feed, article pages (``/p/<id>``), the 快讯 list and 快讯 pages.

36Kr renders its pages server-side and embeds the same data as ``window.initialState={...}``;
the parsers read that state first and fall back to the rendered markup when the state is
missing or AES-encrypted (newer pages ship ``{"state": "<cipher>", "isEncrypt": true}``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from parsel import Selector

from crawler.items import ArticleItem
from crawler.pages import ArticleGone, PageBlocked, ParseError
from crawler.pages.feed import parse_entries
from crawler.text import clean_line, html_to_text, looks_like_html, normalize_text

SOURCE = "36kr"
BASE_URL = "https://36kr.com/"
FEED_URL = "https://36kr.com/feed"
AI_LIST_URL = "https://36kr.com/information/AI/"

_STATE_START = re.compile(r"window\.initialState\s*=\s*(?=[{\[])")
# /p/<id> and /newsflashes/<id>; older feeds linked /p/<id>.html?ktm_source=feed over http.
_ITEM_PATH = re.compile(r"^/(p|newsflashes)/(\d+)(?:\.html)?/?$")
_HOSTS = frozenset({"36kr.com", "www.36kr.com", "m.36kr.com"})
# What 36Kr's "article gone" page says; its state then carries an empty ``data``.
_GONE_MARKERS = ("该文章已被删除", "文章已被删除", "内容不存在", "文章不存在", "该内容已下架")
# Its WAF answers with a JavaScript challenge that sets these cookies.
_WAF_MARKERS = ("_wafchallengeid", "_waftokenid")
# The text proper; ``.article-content`` is the outer box that also holds the title, byline,
# summary and the disclaimer, so it is only the last resort.
_ARTICLE_BODIES = (".articleDetailContent", ".article-content")
# Inside the outer box, not the article: the disclaimer under the text and the reward box.
_BODY_JUNK = ".article-footer-txt, .thumb-up-box, .article-title-icon, .summary, h1, script, style"


@dataclass(frozen=True)
class ListedNewsflash:
    """A 快讯 as the list page shows it: its page URL and the list's date (epoch ms or ``3小时前``)."""

    url: str
    published_at: str | None


def is_newsflash_url(url: str) -> bool:
    """Whether ``url`` is a 快讯 page rather than an article."""
    return urlsplit(url).path.startswith("/newsflashes/")


def parse_feed(text: str, url: str) -> list[str]:
    """Article and 快讯 links of the RSS feed (``https://36kr.com/feed``), canonical, each once."""
    links = (item_url(entry.url) for entry in parse_entries(text, url))
    return list(dict.fromkeys(link for link in links if link))


def item_url(url: str) -> str | None:
    """The canonical URL (``https://36kr.com/p/<id>``, ``/newsflashes/<id>``) of a 36Kr item link, else None.

    Every form a real page or feed links is accepted: ``www.`` and ``m.`` hosts, http, a ``.html``
    suffix, and any query (``?f=rss``, ``?ktm_source=feed``), none of which names another page.
    """
    parts = urlsplit(url.strip())
    m = _ITEM_PATH.match(parts.path)
    if parts.hostname not in _HOSTS or not m:
        return None
    return f"{BASE_URL}{m.group(1)}/{m.group(2)}"


def is_item_url(url: str) -> bool:
    """Whether ``url`` is a 36Kr article or 快讯 page (the feed carries nothing else of ours to parse)."""
    return item_url(url) is not None


def parse_information_list(text: str, url: str) -> list[str]:
    """Article links of a channel list (``https://36kr.com/information/AI/``): the state's items, else the cards."""
    items = _dig(read_state(text), "information", "informationList", "itemList")
    links: list[str] = []
    if isinstance(items, list):
        for item in items:
            # itemType 10 is an article; the list also mixes in ads and topics with other routes
            if isinstance(item, dict) and item.get("itemType") == 10 and str(item.get("itemId", "")).isdigit():
                links.append(f"{BASE_URL}p/{item['itemId']}")
    if not links:
        sel = Selector(text=text)
        if not sel.css(".information-flow-list, .kr-information-flow"):
            raise ParseError("not_a_list", url)
        hrefs = sel.css(".information-flow-item a.article-item-title::attr(href)").getall()
        links = [link for h in hrefs if (link := item_url(urljoin(url, h)))]
    return list(dict.fromkeys(links))


def read_state(text: str) -> dict[str, Any] | None:
    """The page's ``window.initialState`` as a dict, or None when absent, unreadable or encrypted."""
    match = _STATE_START.search(text)
    if not match:
        return None
    try:
        state, _ = json.JSONDecoder().raw_decode(text, match.end())
    except json.JSONDecodeError:
        return None  # a truncated or hand-edited state: the rendered markup still has the article
    if not isinstance(state, dict):
        return None
    if "isEncrypt" in state:
        if state.get("isEncrypt"):
            return None  # AES-encrypted with a key the site rotates; the markup carries the same text
        inner = state.get("state")
        if isinstance(inner, str):
            try:
                inner = json.loads(inner)
            except json.JSONDecodeError:
                return None
        return inner if isinstance(inner, dict) else None
    return state


def parse_article(text: str, url: str) -> ArticleItem:
    """A 36Kr article page (``https://36kr.com/p/<id>``)."""
    _reject_challenge(text, url)
    state = read_state(text)
    data = _dig(state, "articleDetail", "articleDetailData", "data")
    if isinstance(data, dict) and data.get("widgetContent"):
        return _article_from_state(data, url)
    return _article_from_markup(Selector(text=text), url)


def parse_newsflash(text: str, url: str) -> ArticleItem:
    """A 快讯 page (``https://36kr.com/newsflashes/<id>``); the "下一篇" teaser is not part of it."""
    _reject_challenge(text, url)
    state = read_state(text)
    data = _dig(state, "newsflashDetail", "detailData", "data")
    sel = Selector(text=text)
    if isinstance(data, dict) and (data.get("widgetContent") or "").strip():
        title = clean_line(str(data.get("widgetTitle") or ""))
        body = _text(str(data["widgetContent"]))
        published = _epoch_text(data.get("publishTime"))
    else:
        box = sel.css(".item-detail-box") or sel.css(".newsflash-detail-main")
        title = clean_line(" ".join(box.css(".item-title ::text").getall()))
        body = html_to_text(box.css(".pre-item-des").get(default=""))
        published = clean_line(box.css(".item-time::text").get(default="")) or None
    if not body:
        _raise_if_gone(sel, url)
        raise ParseError("no_body", url)
    if not title:
        raise ParseError("no_title", url)
    return ArticleItem(url=url, source=SOURCE, title=title, body=body, published_at=published, kind="newsflash")


def newsflash_entries(text: str, url: str) -> list[ListedNewsflash]:
    """The 快讯 of the list page (``https://36kr.com/newsflashes``), in page order, each once."""
    state = read_state(text)
    items = _dig(state, "newsflashCatalogData", "data", "newsflashList", "data", "itemList")
    if items is None:  # the mobile page keeps the same list under another key
        items = _dig(state, "newsflashList", "flow", "itemList")
    entries: list[ListedNewsflash] = []
    if isinstance(items, list):
        for item in items:
            material = item.get("templateMaterial") or {}
            item_id = item.get("itemId") or material.get("itemId")
            if item_id:
                flash = urljoin(BASE_URL, f"/newsflashes/{item_id}")
                entries.append(ListedNewsflash(flash, _epoch_text(material.get("publishTime"))))
    else:
        sel = Selector(text=text)
        rows = sel.css(".newsflash-item")
        if not rows and not sel.css(".newsflash-catalog-flow"):
            raise ParseError("not_a_list", url)
        for row in rows:
            href = row.css("a.item-title::attr(href)").get(default="")
            if href and (link := item_url(urljoin(url, href))):
                date = clean_line(row.css(".time::text").get(default="")) or None
                entries.append(ListedNewsflash(link, date))
    seen: dict[str, ListedNewsflash] = {}
    for entry in entries:
        seen.setdefault(entry.url, entry)
    return list(seen.values())


def parse_newsflash_list(text: str, url: str) -> list[str]:
    """Links of the 快讯 list page, in page order, each once."""
    return [entry.url for entry in newsflash_entries(text, url)]


def _article_from_state(data: dict[str, Any], url: str) -> ArticleItem:
    content = str(data["widgetContent"])
    cover = str(data.get("widgetImage") or "")
    return ArticleItem(
        url=url,
        source=SOURCE,
        title=clean_line(str(data.get("widgetTitle") or "")),
        body=html_to_text(content),
        published_at=_epoch_text(data.get("publishTime")),
        author=clean_line(str(data.get("author") or "")) or None,
        summary=clean_line(str(data.get("summary") or "")) or None,
        images=([cover] if cover else []) + Selector(text=f"<div>{content}</div>").css("img::attr(src)").getall(),
    )


def _article_from_markup(sel: Selector, url: str) -> ArticleItem:
    content = next((found for css in _ARTICLE_BODIES if (found := sel.css(css))), sel.css(_ARTICLE_BODIES[0]))
    root = lxml_html.fromstring(content.get(default="<div></div>"))
    for junk in root.cssselect(_BODY_JUNK):
        junk.drop_tree()
    body = html_to_text(root)
    if not body:
        _raise_if_gone(sel, url)
        raise ParseError("no_body", url)
    title = clean_line(" ".join(sel.css("h1.article-title ::text").getall()))
    if not title:
        raise ParseError("no_title", url)
    # the date span starts with a bullet in its own span; its own text node is the date
    published = clean_line("".join(sel.css(".article-title-icon .item-time::text").getall())) or None
    return ArticleItem(
        url=url,
        source=SOURCE,
        title=title,
        body=body,
        published_at=published,
        author=clean_line(sel.css(".article-title-icon a.item-a::text").get(default="")) or None,
        summary=clean_line(sel.css(".summary").xpath("string()").get(default="")) or None,
        images=[urljoin(url, src) for src in content.css("img::attr(src)").getall()],
    )


def _reject_challenge(text: str, url: str) -> None:
    if any(marker in text for marker in _WAF_MARKERS) and "initialState" not in text:
        raise PageBlocked("waf_challenge", url)


def _raise_if_gone(sel: Selector, url: str) -> None:
    visible = " ".join(sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall())
    if any(marker in visible for marker in _GONE_MARKERS):
        raise ArticleGone("deleted", url)


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _epoch_text(value: Any) -> str | None:
    """36Kr's ``publishTime`` (epoch milliseconds) as the text the date resolver reads."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        return None
    return str(value)


def _text(fragment: str) -> str:
    return html_to_text(fragment) if looks_like_html(fragment) else normalize_text(fragment)
