"""Any article page: main text by trafilatura, publish time from the page's structured data.

Used for user RSS/Atom feeds, whose pages have no site parser. trafilatura finds the main
text; the publish time is read here from JSON-LD, meta tags and ``<time>`` because
trafilatura's date (htmldate) is a day, and reports need the minute.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import trafilatura
from lxml import etree
from parsel import Selector

from crawler.items import ArticleItem
from crawler.pages import PageBlocked, ParseError
from crawler.text import clean_line, html_to_text

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
    sel = Selector(text=text, type="html")  # parsel would read a JSON body as JSON
    _reject_challenge(sel, url)
    doc = trafilatura.bare_extraction(
        text,
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
        published_at=page_published(sel, ld) or published or getattr(doc, "date", None),
        author=_author(sel, ld) or clean_line(getattr(doc, "author", None) or "") or None,
        summary=clean_line(sel.css('meta[name="description"]::attr(content)').get(default="")) or None,
        images=[urljoin(url, image)] if image else [],
        tags=[clean_line(t) for t in (getattr(doc, "tags", None) or []) if clean_line(t)],
    )


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
