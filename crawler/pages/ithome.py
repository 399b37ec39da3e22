"""IT之家 (ithome.com): the RSS feed, channel lists and article pages (``/0/915/391.htm``), read from the markup.

IT之家 has no embedded JSON state; the article is ``div#paragraph`` with lazy images whose
real address is ``data-original``, plus the ad declaration and a "相关阅读" link list that
the site appends inside the same div.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from parsel import Selector

from crawler.items import ArticleItem
from crawler.pages import ParseError
from crawler.pages.feed import feed_links
from crawler.text import clean_line, html_to_text
from crawler.urls import canonicalize_url

SOURCE = "ithome"

_ARTICLE_PATH = re.compile(r"^/0/\d+/\d+\.htm$")
# Inside #paragraph but not the article: the ad declaration every post ends with, in-body ad slots.
_JUNK = ".ad-tips, .tougao-user, .lapin, .dajia, .shareto, .newsgrade, script, style"
_RELATED_HEAD = re.compile(r"^(相关阅读|延伸阅读|相关文章)[:：]?")
# The lazy-loading placeholder every body image carries in ``src``.
_PLACEHOLDER = "/images/v2/t.png"


def parse_feed(text: str, url: str) -> list[str]:
    """Article links of the RSS feed (``https://www.ithome.com/rss/``), canonical, each once."""
    return feed_links(text, url, is_article_url)


def parse_list(text: str, url: str) -> list[str]:
    """Article links of the RSS feed, a channel list page (``https://it.ithome.com/``) or its "more" answer.

    A channel page lists ``#list ul.bl li``; its 加载更多 button posts to
    ``/category/domainpage?domain=it&subdomain=&ot=<ms>``, which answers JSON carrying the next
    items as the same ``<li>`` markup in ``content.html``.
    """
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("<?xml") or "<rss" in body[:500]:
        return parse_feed(body, url)
    if body.startswith("{"):
        try:
            answer = json.loads(body)
        except json.JSONDecodeError as exc:
            raise ParseError("bad_json", str(exc)) from exc
        content = answer.get("content") if isinstance(answer, dict) else None
        if not isinstance(content, dict) or not isinstance(content.get("html"), str):
            raise ParseError("not_a_list", url)
        items = Selector(text=f"<ul class='bl'>{content['html']}</ul>").css("ul.bl > li")
    else:
        items = Selector(text=text).css("#list ul.bl > li")
        if not items:
            raise ParseError("not_a_list", url)
    hrefs = items.css("h2 a.title::attr(href), h2 a::attr(href)").getall()
    links = (canonicalize_url(urljoin(url, h.strip())) for h in hrefs)
    return list(dict.fromkeys(link for link in links if is_article_url(link)))


def is_article_url(url: str) -> bool:
    """Whether ``url`` is an IT之家 article page (``/0/915/391.htm``)."""
    parts = urlsplit(url)
    return (parts.hostname or "").endswith("ithome.com") and bool(_ARTICLE_PATH.match(parts.path))


def parse_article(text: str, url: str) -> ArticleItem:
    """An IT之家 article page."""
    sel = Selector(text=text)
    content = sel.css("div#paragraph") or sel.css("div.post_content")
    if not content:
        raise ParseError("no_body", url)
    root = lxml_html.fromstring(content.get(default=""))
    for junk in root.cssselect(_JUNK):
        junk.drop_tree()
    _drop_related(root)
    body = html_to_text(root)
    if not body:
        raise ParseError("no_body", url)
    title = clean_line(" ".join((sel.css("#dt h1") or sel.css("h1"))[:1].css("::text").getall()))
    if not title:
        raise ParseError("no_title", url)
    return ArticleItem(
        url=url,
        source=SOURCE,
        title=title,
        body=body,
        published_at=clean_line(sel.css("#pubtime_baidu::text").get(default="")) or None,
        author=_byline(sel, "#author_baidu") or _byline(sel, "#editor_baidu"),
        images=_images(root, url),
        summary=clean_line(sel.css('meta[name="description"]::attr(content)').get(default="")) or None,
        tags=_tags(sel),
    )


def _tags(sel: Selector) -> list[str]:
    """The article's keywords: the 关键词 row above 相关文章 (``.hot_tags``), else the keywords meta."""
    tags = [clean_line(t) for t in sel.css(".hot_tags a::text").getall()]
    if not any(tags):
        meta = sel.css('meta[name="keywords"]::attr(content)').get(default="")
        tags = [clean_line(t) for t in re.split(r"[,，]", meta)]
    return list(dict.fromkeys(t for t in tags if t))


def _drop_related(root: lxml_html.HtmlElement) -> None:
    """Remove the "相关阅读：" heading and the link list after it, which close many posts."""
    children = list(root)
    for index, child in enumerate(children):
        if _RELATED_HEAD.match(clean_line(child.text_content())):
            for stale in children[index:]:
                stale.drop_tree()
            return


def _byline(sel: Selector, css: str) -> str | None:
    name = clean_line(sel.css(f"{css} strong::text").get(default=""))
    if not name:
        name = re.sub(r"^(作者|责编)[:：]\s*", "", clean_line("".join(sel.css(f"{css} ::text").getall())))
    return name or None


def _images(root: lxml_html.HtmlElement, url: str) -> list[str]:
    found = []
    for img in root.iter("img"):
        src = img.get("data-original") or img.get("src") or ""
        if src and _PLACEHOLDER not in src:
            found.append(urljoin(url, src))
    return found
