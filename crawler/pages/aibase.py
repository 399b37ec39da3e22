"""AIbase news (www.aibase.com / news.aibase.com): the news list and article pages.

The site is a Next.js App Router app (since 2026): a page's data is in its inlined Flight stream
(``crawler.pages.nextjs``), the article as a record of the site's news API (``Id``, ``title``,
``description``, ``summary`` holding the article HTML, ``tags`` as a JSON string, ``sourcename``,
``author``, ``addtime``). Older pages were Nuxt 3 with the same records in ``__NUXT_DATA__``;
both are read, and the rendered markup is the fallback.

One article has several addresses: ``/news/<id>`` and ``/zh/news/<id>`` on either host. Its
canonical URL is the one the page itself declares for Chinese (``rel=canonical``, ``og:url``):
``https://www.aibase.com/zh/news/<id>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.items import ArticleItem
from crawler.pages import ParseError
from crawler.pages.nextjs import flight
from crawler.pages.nuxt import dicts, nuxt_payload
from crawler.text import clean_line, html_to_text, looks_like_html

SOURCE = "aibase"
CANONICAL_BASE = "https://www.aibase.com/zh/news/"
LIST_URL = "https://www.aibase.com/zh/news"
_HOSTS = frozenset({"www.aibase.com", "news.aibase.com", "aibase.com"})
_ARTICLE_PATH = re.compile(r"^/(?:zh/)?news/(\d+)/?$")
_ID_KEYS = ("Id", "id", "oid")
# How the byline shows the date: ``Aug 21, 2026`` (English month names on the Chinese pages too),
# or a relative time on a fresh page.
_SHOWN_DATE = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4}$|^\d{4}[-/年]|^\d+\s*(秒|分钟|小时|天)前$|^(刚刚|昨天|今天)")
# Where the list pages keep their records: Next.js ``initialArticles``, Nuxt ``getAINewsList.data.list``.
_LIST_KEYS = ("initialArticles", "list")


def news_id(url: str) -> str | None:
    """The article id of an AIbase article URL in any of its forms, else None."""
    parts = urlsplit(url)
    if (parts.hostname or "") not in _HOSTS:
        return None
    m = _ARTICLE_PATH.match(parts.path)
    return m.group(1) if m else None


def article_url(url: str) -> str | None:
    """The canonical URL (``https://www.aibase.com/zh/news/<id>``) of an article URL, else None."""
    found = news_id(url)
    return CANONICAL_BASE + found if found else None


def parse_list(text: str, url: str) -> list[str]:
    """Canonical article links of a news list page: from its records, else from its links."""
    links = [CANONICAL_BASE + i for i in _listed_ids(_page_dicts(text))]
    if not links:
        hrefs = Selector(text=text).css("a::attr(href)").getall()
        links = [link for h in hrefs if (link := article_url(urljoin(url, h.strip())))]
    return list(dict.fromkeys(links))


def parse_article(text: str, url: str) -> ArticleItem:
    """An article page: its news record (Flight stream or Nuxt payload), else the rendered markup."""
    wanted = news_id(url)
    canonical = article_url(url) or url
    rows = flight(text)
    if rows:
        record = _article_record(rows.dicts(), wanted, rows.resolve)
    else:  # an older Nuxt page: its values are plain, nothing to resolve
        record = _article_record(dicts(nuxt_payload(text)), wanted, _as_is)
    if record is not None:
        return _from_record(record, canonical)
    return _from_markup(Selector(text=text), canonical)


def _as_is(value: Any) -> Any:
    return value


def _page_dicts(text: str) -> Iterable[dict[str, Any]]:
    rows = flight(text)
    return rows.dicts() if rows else dicts(nuxt_payload(text))


def _listed_ids(records: Iterable[dict[str, Any]]) -> list[str]:
    for record in records:
        for key in _LIST_KEYS:
            rows = record.get(key)
            if isinstance(rows, list):
                ids = [i for row in rows if isinstance(row, dict) and row.get("title") and (i := _record_id(row))]
                if ids:
                    return ids
    return []


def _record_id(record: dict[str, Any]) -> str | None:
    for key in _ID_KEYS:
        value = record.get(key)
        if isinstance(value, (int, str)) and not isinstance(value, bool) and str(value).isdigit():
            return str(value)
    return None


def _article_record(
    candidates: Iterable[dict[str, Any]], wanted: str | None, resolve: Callable[[Any], Any]
) -> dict[str, Any] | None:
    """The news record of this page, its strings resolved: a title, an id, and an HTML body."""
    for record in candidates:
        if not record.get("title") or (wanted and _record_id(record) not in (wanted, None)):
            continue  # the page also carries related news; only this URL's id will do
        resolved = {key: resolve(value) for key, value in record.items()}
        if _body_html(resolved):
            return resolved
    return None


def _body_html(record: dict[str, Any]) -> str:
    """The article HTML: ``content`` where the record has it, else ``summary`` (the API's body field)."""
    for key in ("content", "summary"):
        value = record.get(key)
        if isinstance(value, str) and looks_like_html(value) and html_to_text(value):
            return value
    return ""


def _from_record(record: dict[str, Any], url: str) -> ArticleItem:
    html = _body_html(record)
    summary = next(
        (clean_line(str(v)) for k in ("description", "summary") if (v := record.get(k)) and v != html),
        "",
    )
    content = Selector(text=html)
    return ArticleItem(
        url=url,
        source=SOURCE,
        title=clean_line(str(record["title"])),
        body=html_to_text(html),
        published_at=str(record.get("addtime") or "") or None,
        # The API leaves ``author`` empty for the site's own pieces; the page shows ``sourcename``.
        author=clean_line(str(record.get("author") or record.get("sourcename") or "")) or None,
        summary=summary or None,
        images=[urljoin(url, s) for s in content.css("img::attr(src)").getall() if s.strip()],
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
    """Fallback for a page whose data lacks the article: the rendered ``article``."""
    article = sel.css("main article") or sel.css("article") or sel.css("main")
    title = clean_line(" ".join(article.css("h1 ::text").getall())) or clean_line(
        sel.css('meta[property="og:title"]::attr(content)').get(default="")
    )
    content = article.css(".post-content")
    if not title or not content:
        raise ParseError("no_article", url)
    body = html_to_text(content[0].root)
    if not body:
        raise ParseError("no_body", url)
    byline = article.xpath(".//h1/following-sibling::div[1]")
    # The byline row: the author in an h4, then 发布于 · <category> · N 分钟阅读 · <date>.
    spans = [clean_line(t) for t in byline.xpath(".//span[not(*)]/text()").getall()]
    date = next((s for s in reversed(spans) if _SHOWN_DATE.search(s)), "")
    return ArticleItem(
        url=url,
        source=SOURCE,
        title=title,
        body=body,
        published_at=date or None,
        author=clean_line(" ".join(byline.css("h4 ::text").getall())) or None,
        images=[urljoin(url, s) for s in content.css("img::attr(src)").getall() if s.strip()],
        tags=[t for t in (clean_line(" ".join(a.css("::text").getall())) for a in article.css("a.tag-badge")) if t],
    )
