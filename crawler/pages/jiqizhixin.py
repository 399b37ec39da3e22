"""机器之心 (www.jiqizhixin.com): article-library JSON API, RSS feed, and the article page.

The site is a JS app: lists come from ``/api/article_library/articles.json`` (or the RSS feed),
and an article's full text from ``/api/article_library/articles/<slug>.json``. The article page
itself carries the same article object as embedded state when it is server-rendered, and only
rendered markup otherwise; the parser takes whichever of the three it is given.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector, SelectorList

from crawler.items import ArticleItem
from crawler.pages import ArticleGone, ParseError
from crawler.text import clean_line, html_to_text

SOURCE = "jiqizhixin"
BASE = "https://www.jiqizhixin.com"
LIST_API = BASE + "/api/article_library/articles.json?sort=time&page=1&per=12"
FEED = BASE + "/rss"

_ARTICLE_PATH = re.compile(r"^/articles/(?P<slug>[0-9A-Za-z][0-9A-Za-z_-]*)/?$")
_API_PATH = re.compile(r"^/api/(?:article_library|v4)/articles/(?P<slug>[0-9A-Za-z][0-9A-Za-z_-]*)(?:\.json)?$")
_STATE = re.compile(r"window\.__INITIAL_STATE__\s*=\s*")
# Every article ends with the same sign-off; what follows is reprint and contact boilerplate.
_END_MARK = re.compile(r"^©\s*THE END")
# The masthead and editor lines open the text; reprint and contact lines may trail it.
_BOILERPLATE = re.compile(
    r"^(机器之心(报道|编辑部|原创|发布)$|(编辑|作者)[:：]\s*\S+$|转载请联系本公众号获得授权|投稿或寻求报道[:：])"
)


def article_url(slug: str) -> str:
    """The human article URL of a slug such as ``2026-01-20-3``."""
    return f"{BASE}/articles/{slug}"


def slug_of(url: str) -> str | None:
    """The article slug of an article page or article API URL, or None for other URLs."""
    path = urlsplit(url).path
    match = _ARTICLE_PATH.match(path) or _API_PATH.match(path)
    return match.group("slug") if match else None


def detail_api_url(url: str) -> str:
    """The JSON endpoint that serves the full text of the article at ``url``."""
    slug = slug_of(url)
    if slug is None:
        raise ValueError(f"not a jiqizhixin article URL: {url}")
    return f"{BASE}/api/article_library/articles/{slug}.json"


def parse_list(text: str, url: str) -> list[str]:
    """Article URLs of the list API, the RSS feed or a rendered list page, each once, in order."""
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("{"):
        data = _load_json(body)
        entries = data.get("articles")
        if not isinstance(entries, list):
            raise ParseError("no_articles", "list API without an articles array")
        hrefs = [article_url(e["slug"]) for e in entries if isinstance(e, dict) and e.get("slug")]
    elif body.startswith("<?xml") or "<rss" in body[:500]:
        feed = Selector(text=body, type="xml")
        feed.remove_namespaces()
        hrefs = [clean_line(h) for h in feed.xpath("//item/link/text()").getall()]
    else:
        hrefs = Selector(text=text).css("a.article-item__title::attr(href)").getall()
    links = (urljoin(url, h) for h in hrefs)
    return list(dict.fromkeys(link for link in links if slug_of(link) and "/api/" not in link))


def parse_article(text: str, url: str) -> ArticleItem:
    """The article in a detail API response or an article page (embedded state, else markup).

    ``url`` may be the API URL; the item always carries the human article URL.
    """
    slug = slug_of(url)
    page_url = article_url(slug) if slug else url
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("{"):
        return _from_api(_load_json(body), page_url)
    sel = Selector(text=text)
    state = _embedded_article(sel)
    if state is not None:
        return _from_api(state, page_url)
    return _from_markup(sel, page_url)


def _load_json(body: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ParseError("bad_json", str(exc)) from exc
    if not isinstance(data, dict):
        raise ParseError("bad_json", "top level is not an object")
    return data


def _embedded_article(sel: Selector) -> dict[str, Any] | None:
    """The article object of ``window.__INITIAL_STATE__``, or None when the page has none."""
    for script in sel.xpath("//script[not(@src)]/text()").getall():
        match = _STATE.search(script)
        if not match:
            continue
        try:
            state, _ = json.JSONDecoder().raw_decode(script, match.end())
        except ValueError as exc:
            raise ParseError("bad_state", str(exc)) from exc
        article = state.get("article") if isinstance(state, dict) else None
        return article if isinstance(article, dict) and article.get("content") else None
    return None


def _from_api(data: dict[str, Any], page_url: str) -> ArticleItem:
    if data.get("success") is False or data.get("status") == 404:
        raise ArticleGone("deleted", str(data.get("message", "")))
    title = clean_line(str(data.get("title") or ""))
    content = data.get("content")
    if not title:
        raise ParseError("no_title")
    if not isinstance(content, str) or not content.strip():
        raise ParseError("no_body")
    body, images = _body_and_images(Selector(text=content).css("body > *"))
    if not body:
        raise ParseError("no_body")
    author = data.get("author")
    author_name = author.get("name") if isinstance(author, dict) else author
    seo = data.get("seo")
    keywords = seo.get("keywords") if isinstance(seo, dict) else None
    return ArticleItem(
        url=page_url,
        source=SOURCE,
        title=title,
        body=body,
        published_at=data.get("published_at") or data.get("publishedAt"),
        author=clean_line(str(author_name)) if author_name else None,
        summary=clean_line(str(data.get("description") or "")) or None,
        images=images,
        tags=[str(k) for k in keywords] if isinstance(keywords, list) else [],
    )


def _from_markup(sel: Selector, page_url: str) -> ArticleItem:
    title = clean_line(
        sel.css("h1.detail__title::text, h1.article__title::text").get(default="")
        or sel.css('meta[property="og:title"]::attr(content)').get(default="")
    )
    if not title:
        raise ParseError("no_title")
    content = sel.css(".detail__info-body, .article__content")
    if not content:
        raise ParseError("no_body", "neither embedded state nor article markup")
    body, images = _body_and_images(content[0].xpath("./*"))
    if not body:
        raise ParseError("no_body")
    time = sel.css(".detail__time, time.article__time")
    published = time.attrib.get("datetime") or clean_line(" ".join(time.css("::text").getall()))
    author = clean_line(sel.css(".detail__author-name::text, .article__author-name::text").get(default=""))
    return ArticleItem(
        url=page_url,
        source=SOURCE,
        title=title,
        body=body,
        published_at=published or None,
        author=author or None,
        summary=clean_line(sel.css('meta[name="description"]::attr(content)').get(default="")) or None,
        images=images,
        tags=[clean_line(t) for t in sel.css(".detail__tags a::text").getall()],
    )


def _body_and_images(blocks: SelectorList[Selector]) -> tuple[str, list[str]]:
    """Text and images of the content blocks up to the ``© THE END`` sign-off."""
    lines: list[str] = []
    images: list[str] = []
    for block in blocks:
        text = html_to_text(block.root)
        if _END_MARK.match(text):
            break
        lines.extend(line for line in text.split("\n") if not _BOILERPLATE.match(line))
        for img in [block] if block.root.tag == "img" else block.css("img"):
            # images load lazily: the real address is in data-src, src is a placeholder
            src = img.attrib.get("data-src") or img.attrib.get("src") or ""
            if src and not src.startswith("data:"):
                images.append(src)
    return "\n".join(lines), images
