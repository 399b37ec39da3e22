"""Turn a parsed ArticleItem into the stored article document: the normalise step, as a pure function."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.dates import SHANGHAI, check_published
from crawler.items import ArticleItem
from crawler.text import lead, normalize_text, one_line
from crawler.urls import canonicalize_url

SUMMARY_CHARS = 200
# What ``date_flags`` may hold: why the stored ``published_at`` is not simply the site parser's date.
DATE_FLAGS = ("future_date", "unreadable_date", "generic_date", "missing_date")


def article_id(canonical_url: str) -> str:
    """Stable document id of an article: the first 16 hex digits of SHA-1 of its canonical URL."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def content_hash(title: str, body: str) -> str:
    """SHA-256 of the normalised title and body; a change here is a new version."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def page_images(images: Iterable[str], page_url: str) -> list[str]:
    """The http(s) image URLs of a page, each once: relative and ``//host`` ones resolved, others
    (``javascript:``, ``data:``, ``blob:``) left out."""
    found: dict[str, None] = {}
    for raw in images:
        src = (raw or "").strip()
        if not src:
            continue
        url = urljoin(page_url, src)
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            found.setdefault(url)
    return list(found)


def resolve_date(item: ArticleItem, *, now: datetime) -> tuple[datetime | None, str | None, list[str]]:
    """``(published_at, published_raw, date_flags)`` of an item: the site parser's date when it is a
    possible time, else the generic date finder's (``published_fallback``), else none.
    """
    flags: list[str] = []
    value, problem = check_published(item.published_at, now=now)
    raw = item.published_at
    if problem:
        flags.append(f"{problem}_date")
    if value is None and item.published_fallback:
        fallback, fallback_problem = check_published(item.published_fallback, now=now)
        if fallback is not None:
            value, raw = fallback, item.published_fallback
            flags.append("generic_date")
        elif fallback_problem and f"{fallback_problem}_date" not in flags:
            flags.append(f"{fallback_problem}_date")
    if value is None:
        flags.append("missing_date")
    return value, raw, flags


def normalize_article(
    item: ArticleItem,
    *,
    fetched_at: datetime,
    source_names: dict[str, str] | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """The article document for ``item``: text cleaned, URL canonical, date resolved.

    The item's texts are plain text already (parsers render HTML); nothing here reads them as
    markup again, so ``List<String>`` or ``&lt;img&gt;`` in an article stays as written.
    Relative dates count from ``item.served_at`` (the page's HTTP ``Date``) when the spider
    set it, else from ``fetched_at``, the crawl time. ``published_at`` is None when no possible
    date was found; ``date_flags`` says why (``crawler.normalize.DATE_FLAGS``).
    """
    from crawler.sources import source_name

    url = canonicalize_url(item.url)
    body = normalize_text(item.body)
    title = one_line(item.title)
    summary = one_line(item.summary or "")
    fetched = fetched_at.astimezone(SHANGHAI)
    published, published_raw, date_flags = resolve_date(item, now=(item.served_at or fetched).astimezone(SHANGHAI))
    return {
        "_id": article_id(url),
        "url": url,
        "source": item.source,
        "source_name": source_name(item.source, source_names),
        "kind": item.kind,
        "title": title,
        "author": one_line(item.author or "") or None,
        "published_at": published,
        "published_raw": published_raw,
        "date_flags": date_flags,
        "fetched_at": fetched,
        "body": body,
        "summary": summary or lead(body, SUMMARY_CHARS),
        "images": page_images(item.images, item.url),
        "tags": list(dict.fromkeys(t for t in (one_line(t) for t in item.tags) if t)),
        "extractor": item.extractor,
        "html_sha256": item.html_sha256,
        "etag": item.etag,
        "last_modified": item.last_modified,
        "content_hash": content_hash(title, body),
        "crawl_run_id": run_id,
    }
