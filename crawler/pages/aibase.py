"""AIbase (news.aibase.com) news: a Nuxt 3 app whose pages embed their data as a ``__NUXT_DATA__`` payload."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from parsel import Selector

from crawler.items import ArticleItem
from crawler.pages import ParseError
from crawler.text import clean_line, html_to_text

SOURCE = "aibase"
ARTICLE_BASE = "https://news.aibase.com/zh/news/"
_ARTICLE_URL = re.compile(r"^https://news\.aibase\.com/zh/news/(\d+)/?$")
# devalue wrappers whose single argument is the value itself
_WRAPPERS = {"Reactive", "ShallowReactive", "Ref", "ShallowRef", "EmptyRef", "EmptyShallowRef"}
_ID_KEYS = ("Id", "id", "oid")


def nuxt_payload(text: str) -> Any:
    """The page's ``__NUXT_DATA__`` payload, resolved to plain Python values; None when absent."""
    raw = Selector(text=text).css("script#__NUXT_DATA__::text").get(default="").strip()
    if not raw:
        return None
    try:
        table = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ParseError("bad_nuxt_data", str(exc)) from exc
    if not isinstance(table, list) or not table:
        raise ParseError("bad_nuxt_data", "payload is not a devalue table")
    return _resolve(table, 0, {})


def _resolve(table: list[Any], index: int, seen: dict[int, Any]) -> Any:
    """Value at ``index`` of a devalue table: containers hold indices, negatives are special values."""
    if index < 0:
        return None  # -1 undefined, -2 null, -3 NaN, -4/-5 infinities, -6 negative zero
    if index in seen:
        return seen[index]
    node = table[index]
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        seen[index] = out
        for key, child in node.items():
            out[key] = _resolve(table, child, seen)
        return out
    if isinstance(node, list):
        if node and isinstance(node[0], str):
            kind = node[0]
            if kind in _WRAPPERS:
                return _resolve(table, node[1], seen) if len(node) > 1 else None
            if kind == "Date":
                return node[1]
            if kind == "Set":
                return [_resolve(table, i, seen) for i in node[1:]]
            if kind == "Object":  # a boxed primitive, stored inline like a Date
                return node[1]
            if kind == "null":
                return {node[i]: _resolve(table, node[i + 1], seen) for i in range(1, len(node) - 1, 2)}
            return None  # Map, RegExp, BigInt, NuxtError: nothing an article needs
        items: list[Any] = []
        seen[index] = items
        items.extend(_resolve(table, i, seen) for i in node)
        return items
    return node


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside a resolved payload, depth first."""
    stack = [value]
    visited: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, dict):
            yield node
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _news_id(record: dict[str, Any]) -> str | None:
    for key in _ID_KEYS:
        value = record.get(key)
        if isinstance(value, (int, str)) and str(value).isdigit():
            return str(value)
    return None


def parse_list(text: str, url: str) -> list[str]:
    """Article links of the news list: from the Nuxt payload, else from the page's links."""
    payload = nuxt_payload(text)
    links: list[str] = []
    for record in _dicts(payload):
        rows = record.get("list")
        if isinstance(rows, list):
            for row in rows:
                if isinstance(row, dict) and row.get("title") and (news_id := _news_id(row)):
                    links.append(ARTICLE_BASE + news_id)
    if not links:
        hrefs = Selector(text=text).css("a::attr(href)").getall()
        links = [m.group(0).rstrip("/") for h in hrefs if (m := _ARTICLE_URL.match(urljoin(url, h.strip())))]
    return list(dict.fromkeys(links))


def parse_article(text: str, url: str) -> ArticleItem:
    """An article page: the Nuxt payload's news record, else the rendered markup."""
    record = _article_record(nuxt_payload(text), url)
    if record is not None:
        return _from_record(record, url)
    return _from_markup(Selector(text=text), url)


def _article_record(payload: Any, url: str) -> dict[str, Any] | None:
    """The news record of this page: a dict with a title and an HTML ``content``."""
    wanted = _ARTICLE_URL.match(url)
    candidates = [d for d in _dicts(payload) if d.get("title") and isinstance(d.get("content"), str) and d["content"]]
    if wanted:
        # The payload also carries related news; only the record of this URL's id will do.
        candidates = [d for d in candidates if _news_id(d) in (wanted.group(1), None)]
    return candidates[0] if candidates else None


def _from_record(record: dict[str, Any], url: str) -> ArticleItem:
    body = html_to_text(record["content"])
    if not body:
        raise ParseError("no_body", url)
    content = Selector(text=record["content"])
    images = [urljoin(url, s) for s in content.css("img::attr(src)").getall() if s.strip()]
    return ArticleItem(
        url=url,
        source=SOURCE,
        title=clean_line(str(record["title"])),
        body=body,
        published_at=str(record.get("addtime") or "") or None,
        author=clean_line(str(record.get("author") or "")) or None,
        summary=clean_line(str(record.get("description") or record.get("summary") or "")) or None,
        images=images,
        tags=_tags(record.get("tags")),
    )


def _tags(raw: Any) -> list[str]:
    """Tags come as a JSON-encoded list in a string (``"[\\"人工智能\\"]"``) or as a list."""
    if isinstance(raw, list):
        return [str(t) for t in raw]
    if isinstance(raw, str) and raw.startswith("["):
        try:
            decoded = json.loads(raw)
        except json.JSONDecodeError:
            return []  # tags are an extra; a garbled list is not worth losing the article over
        return [str(t) for t in decoded] if isinstance(decoded, list) else []
    return [raw] if isinstance(raw, str) and raw else []


def _from_markup(sel: Selector, url: str) -> ArticleItem:
    """Fallback for a page whose payload lacks the article (served by a degraded SSR)."""
    article = sel.css("article.news-detail") or sel.css("main")
    title = clean_line(" ".join(article.css("h1 ::text").getall())) or clean_line(
        sel.css('meta[property="og:title"]::attr(content)').get(default="")
    )
    content = article.css(".post-content")
    if not title or not content:
        raise ParseError("no_article", url)
    body = html_to_text(content[0].root)
    if not body:
        raise ParseError("no_body", url)
    meta = article.css(".news-meta")
    return ArticleItem(
        url=url,
        source=SOURCE,
        title=title,
        body=body,
        published_at=clean_line(meta.css(".news-time::text").get(default="")) or None,
        author=clean_line(meta.css(".news-author::text").get(default="")) or None,
        images=[urljoin(url, s) for s in content.css("img::attr(src)").getall() if s.strip()],
        tags=[clean_line(t) for t in article.css(".news-tags a::text").getall()],
    )
