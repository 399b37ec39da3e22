"""Turn a parsed ArticleItem into the stored article document: the normalise step, as a pure function."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from crawler.dates import SHANGHAI, parse_published
from crawler.items import ArticleItem
from crawler.text import clean_line, html_to_text, lead, looks_like_html, normalize_text
from crawler.urls import canonicalize_url

SUMMARY_CHARS = 200


def article_id(canonical_url: str) -> str:
    """Stable document id of an article: the first 16 hex digits of SHA-1 of its canonical URL."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def content_hash(title: str, body: str) -> str:
    """SHA-256 of the normalised title and body; a change here is a new version."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def normalize_article(
    item: ArticleItem,
    *,
    fetched_at: datetime,
    source_names: dict[str, str] | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """The article document for ``item``: text cleaned, URL canonical, date resolved.

    ``fetched_at`` is the crawl time relative dates count from. ``published_at`` is None when
    the page gives no date the parser could read; validation decides what that means.
    """
    from crawler.sources import source_name

    url = canonicalize_url(item.url)
    body = html_to_text(item.body) if looks_like_html(item.body) else normalize_text(item.body)
    title = clean_line(normalize_text(html_to_text(item.title) if looks_like_html(item.title) else item.title))
    summary_raw = item.summary or ""
    summary = normalize_text(html_to_text(summary_raw) if looks_like_html(summary_raw) else summary_raw)
    fetched = fetched_at.astimezone(SHANGHAI)
    return {
        "_id": article_id(url),
        "url": url,
        "source": item.source,
        "source_name": source_name(item.source, source_names),
        "kind": item.kind,
        "title": title,
        "author": clean_line(item.author) if item.author else None,
        "published_at": parse_published(item.published_at, now=fetched),
        "published_raw": item.published_at,
        "fetched_at": fetched,
        "body": body,
        "summary": summary.replace("\n", " ") if summary else lead(body, SUMMARY_CHARS),
        "images": list(dict.fromkeys(i for i in item.images if i)),
        "tags": list(dict.fromkeys(clean_line(t) for t in item.tags if t.strip())),
        "html_sha256": item.html_sha256,
        "etag": item.etag,
        "last_modified": item.last_modified,
        "content_hash": content_hash(title, body),
        "crawl_run_id": run_id,
    }
