"""Any article page: main text by trafilatura, publish time from the page's structured data.

Used for user RSS/Atom feeds, whose pages have no site parser, and for a site's page when its
own parser fails on it. trafilatura finds the main text of the page as a reader sees it
(hidden elements are removed first); the publish time is read here from JSON-LD, meta tags,
``<time>`` and the date printed next to the title, because trafilatura's date (htmldate) is
a day, and reports need the minute.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import lxml.html
import trafilatura
from lxml import etree
from parsel import Selector

from crawler.items import ArticleItem
from crawler.pages import PageBlocked, ParseError
from crawler.text import clean_line, drop_hidden, html_to_text

DEFAULT_SOURCE = "web"
# Challenge and verification pages of the CDNs and platforms Chinese sites sit behind.
CHALLENGE_MARKERS = (
    "当前环境异常，完成验证后即可继续访问",
    "完成验证后即可继续访问",
    "请完成安全验证",
    "人机验证",
    "滑动验证",
    "访问验证",
    "Just a moment...",
    "Checking your browser",
    "Attention Required! | Cloudflare",
)
# Less than this is navigation or an empty shell that trafilatura fell back to, not an article.
MIN_BODY_CHARS = 30
# Verification pages are short: a long article that quotes a marker is still an article.
CHALLENGE_MAX_TEXT = 1500
_META_DATES = (
    'meta[property="article:published_time"]::attr(content)',
    'meta[itemprop="datePublished"]::attr(content)',
    'meta[name="pubdate"]::attr(content)',
    'meta[name="publishdate"]::attr(content)',
    'meta[name="PubDate"]::attr(content)',
    'meta[name="weibo: article:create_at"]::attr(content)',
    'meta[name="dc.date"]::attr(content)',
    'meta[name="DC.date.issued"]::attr(content)',
)
_TIME_DATES = (
    "[itemprop=datePublished]::attr(datetime)",
    "article time[datetime]::attr(datetime)",
    "main time[datetime]::attr(datetime)",
    "time[datetime]::attr(datetime)",
)
# trafilatura's XML vocabulary -> the HTML tags crawler.text renders, so that list items
# come out as plain lines (its text output prefixes them with "- ") and cells are spaced.
_TRAFILATURA_TAGS = {
    "head": "h2",
    "item": "li",
    "list": "ul",
    "quote": "blockquote",
    "row": "tr",
    "cell": "span",
    "lb": "br",
    "hi": "span",
    "ref": "a",
    "graphic": "img",
    "code": "pre",
}
# A date as sites print it beside a title: 2026-01-20 13:32, 2026年1月20日 13:32, 1月20日 13:32,
# 01-20 13:32, ISO 8601, 3小时前, 昨天 18:05. A bare 1月20日 is too common in article text to count.
_VISIBLE_DATE = re.compile(
    r"(?<![\d:])(?:"
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?"
    r"(?:(?:\s+|T|\s*日?\s*)\d{1,2}[:：]\d{2}(?:[:：]\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日\s*\d{1,2}[:：]\d{2}"
    r"|\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}"
    r"|\d+\s*(?:分钟|小时|天)前|(?:今天|昨天|前天)\s*\d{1,2}[:：]\d{2}|刚刚"
    r")(?![\d:])"
)
_HAS_TIME = re.compile(r"\d{1,2}[:：]\d{2}|前$|刚刚")
# How much visible text after (and before) the title is searched for the printed date.
_DATE_WINDOW_AFTER = 300
_DATE_WINDOW_BEFORE = 120
# Comment and reply areas print their own dates; a commenter's time is not the article's.
_COMMENT_AREA = re.compile(r"comment|reply|replies|评论|留言|discuss", re.I)
_LD_ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "TechArticle", "Report", "WebPage"}


def parse_article(
    text: str,
    url: str,
    *,
    source: str = DEFAULT_SOURCE,
    published: str | None = None,
    title: str | None = None,
) -> ArticleItem:
    """The article on any page. ``published`` and ``title`` (from a feed) fill what the page lacks."""
    tree = visible_tree(text)
    sel = Selector(root=tree, type="html")
    _reject_challenge(sel, url)
    doc = trafilatura.bare_extraction(
        copy.deepcopy(tree),  # trafilatura prunes the tree it is given; the selector still reads it
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        # Precision mode keeps a bare inline line (a date, a byline) from merging the article into one blob.
        favor_precision=True,
        deduplicate=False,
        # Only the day is used (as the last resort); the cheap search keeps it from guessing.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = _body_text(getattr(doc, "body", None))
    if len(body) < MIN_BODY_CHARS:
        raise ParseError("no_body", url)
    ld = list(_ld_articles(sel))
    page_title = (
        _first(str(obj.get("headline") or "") for obj in ld)
        or clean_line(sel.css('meta[property="og:title"]::attr(content)').get(default=""))
        or clean_line(getattr(doc, "title", None) or "")
        or clean_line(title or "")
    )
    if not page_title:
        raise ParseError("no_title", url)
    lines = body.split("\n")
    h1 = clean_line(" ".join(sel.css("h1 ::text").getall()))
    headings = {page_title, h1, clean_line(getattr(doc, "title", None) or "")}
    if len(lines) > 1 and lines[0] in headings:  # trafilatura keeps the page's <h1>; the title is stored apart
        body = "\n".join(lines[1:])
    image = sel.css('meta[property="og:image"]::attr(content)').get(default="").strip()
    return ArticleItem(
        url=url,
        source=source,
        title=page_title,
        body=body,
        published_at=page_published(sel, ld) or published or visible_published(sel) or getattr(doc, "date", None),
        author=_author(sel, ld) or clean_line(getattr(doc, "author", None) or "") or None,
        summary=clean_line(sel.css('meta[name="description"]::attr(content)').get(default="")) or None,
        images=[urljoin(url, image)] if image else [],
        tags=[clean_line(t) for t in (getattr(doc, "tags", None) or []) if clean_line(t)],
    )


def visible_tree(text: str) -> etree._Element:
    """The page parsed as trafilatura parses it, without the elements a reader never sees."""
    # an empty or JSON body (an article API) is no page: trafilatura would log it as broken HTML
    start = text.lstrip("\ufeff \t\r\n")[:1]
    tree = None if start in ("", "{", "[") else trafilatura.load_html(text)
    if tree is None:
        tree = lxml.html.document_fromstring("<html><body></body></html>")
    drop_hidden(tree)
    return tree


def page_date(text: str) -> str | None:
    """The generic date finder on a whole page: its structured date, else the date printed by its title."""
    sel = Selector(root=visible_tree(text), type="html")
    return page_published(sel) or visible_published(sel)


def visible_published(sel: Selector) -> str | None:
    """The date printed next to the page's title (the first ``<h1>``), outside comment areas.

    The visible text just after the title is searched first, then the text just before it; a
    date with a time of day wins over a bare day in the same stretch.
    """
    h1 = sel.css("body h1")[:1]
    if not h1:
        return None
    anchor = h1[0].root
    before: list[str] = []
    after: list[str] = []
    seen_anchor = False
    for node in sel.root.iter():
        if node is anchor:
            seen_anchor = True
            continue
        if not isinstance(node.tag, str) or node.tag in ("script", "style", "noscript", "textarea", "head", "title"):
            continue
        if _in_comment_area(node) or _inside(node, anchor):
            continue
        text = clean_line(node.text or "")
        if text:
            (after if seen_anchor else before).append(text)
        tail = clean_line(node.tail or "")
        if tail and not _in_comment_area(node.getparent()):
            (after if seen_anchor else before).append(tail)
        if sum(map(len, after)) > _DATE_WINDOW_AFTER:
            break
    window_after = " ".join(after)[:_DATE_WINDOW_AFTER]
    window_before = " ".join(before)[-_DATE_WINDOW_BEFORE:]
    for window in (window_after, window_before):
        dates = [m.group().strip() for m in _VISIBLE_DATE.finditer(window)]
        timed = [d for d in dates if _HAS_TIME.search(d)]
        if timed or dates:
            return (timed or dates)[0]
    return None


def _in_comment_area(node: etree._Element | None) -> bool:
    while node is not None:
        if isinstance(node.tag, str) and _COMMENT_AREA.search(f"{node.get('class', '')} {node.get('id', '')}"):
            return True
        node = node.getparent()
    return False


def _inside(node: etree._Element, ancestor: etree._Element) -> bool:
    parent = node.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


def _body_text(root: etree._Element | None) -> str:
    """Plain text of trafilatura's body tree, one paragraph, heading or list item per line."""
    if root is None:
        return ""
    root = copy.deepcopy(root)
    for el in root.iter():
        if el.tag == "cell":
            el.tail = " " + (el.tail or "")
        if isinstance(el.tag, str) and el.tag in _TRAFILATURA_TAGS:
            el.tag = _TRAFILATURA_TAGS[el.tag]
    return html_to_text(root)


def page_published(sel: Selector, ld: list[dict[str, Any]] | None = None) -> str | None:
    """The publish time the page states to the minute: JSON-LD, then meta tags, then ``<time>``."""
    for obj in ld if ld is not None else _ld_articles(sel):
        value = obj.get("datePublished") or obj.get("dateCreated")
        if isinstance(value, str) and value.strip():
            return value.strip()
    for query in (*_META_DATES, *_TIME_DATES):
        value = sel.css(query).get(default="").strip()
        if value:
            return value
    return None


def _reject_challenge(sel: Selector, url: str) -> None:
    page_title = clean_line(sel.css("title::text").get(default=""))
    if any(marker in page_title for marker in CHALLENGE_MARKERS):
        raise PageBlocked("verification_page", url)
    if sel.css("#challenge-form, #cf-challenge-running, script[src*='challenge-platform']"):
        raise PageBlocked("verification_page", url)
    visible = clean_line(" ".join(sel.xpath("//body//text()[not(ancestor::script or ancestor::style)]").getall()))
    if len(visible) < CHALLENGE_MAX_TEXT and any(marker in visible for marker in CHALLENGE_MARKERS):
        raise PageBlocked("verification_page", url)


def _ld_articles(sel: Selector) -> Iterator[dict[str, Any]]:
    """Article-like objects of the page's JSON-LD, ``@graph`` lists included."""
    for raw in sel.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            continue  # broken JSON-LD is common; the meta tags and <time> are still read
        stack = data if isinstance(data, list) else [data]
        while stack:
            obj = stack.pop(0)
            if not isinstance(obj, dict):
                continue
            stack.extend(obj.get("@graph") or [])
            types = obj.get("@type")
            if _LD_ARTICLE_TYPES & set(types if isinstance(types, list) else [types]):
                yield obj


def _author(sel: Selector, ld: list[dict[str, Any]]) -> str | None:
    for obj in ld:
        author = obj.get("author")
        for one in author if isinstance(author, list) else [author]:
            name = one.get("name") if isinstance(one, dict) else one
            if isinstance(name, str) and clean_line(name):
                return clean_line(name)
    return clean_line(sel.css('meta[name="author"]::attr(content)').get(default="")) or None


def _first(values: Iterator[str] | Any) -> str:
    return next((clean_line(v) for v in values if clean_line(v)), "")
