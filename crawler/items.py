"""Items the spiders yield; dataclasses so parsers stay free of Scrapy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ArticleItem:
    """One article as a page parser saw it, before normalisation.

    ``published_at`` is the raw date text as the page shows it (``2026-01-20 13:32``,
    ``3小时前``, an epoch, ISO 8601); the normalise pipeline resolves it.
    ``body`` is plain text, one paragraph per line, as a reader sees it (hidden elements left out);
    ``title`` and the rest are plain text too: nothing after the parser reads them as HTML.
    The spider adds what only the response knows: ``served_at`` (the server's ``Date``,
    which relative dates count from), ``extractor`` and ``published_fallback``.
    """

    url: str
    source: str
    title: str
    body: str
    published_at: str | None = None
    kind: str = "article"  # "article" or "newsflash" (快讯)
    author: str | None = None
    summary: str | None = None
    images: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    html_sha256: str | None = None
    # HTTP validators of the article page, for conditional re-fetches (incremental crawls).
    etag: str | None = None
    last_modified: str | None = None
    # When the server says it sent the page (HTTP ``Date``), if plausible: a saved page's ``3小时前``
    # counts from the time it was saved, not from today.
    served_at: datetime | None = None
    # Which parser produced the text: the site parser's module (``kr36``, ``wechat``) or ``generic``.
    extractor: str | None = None
    # The generic date finder's date text, used when ``published_at`` is missing, unreadable or impossible.
    published_fallback: str | None = None


@dataclass
class LeaderboardSnapshotItem:
    """One day's leaderboard in one category (``text/overall``): ``(model, score, rank)`` best first."""

    date: str  # YYYY-MM-DD
    category: str
    entries: list[tuple[str, float, int]]
    source_url: str
