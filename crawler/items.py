"""Items the spiders yield; dataclasses so parsers stay free of Scrapy."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArticleItem:
    """One article as a page parser saw it, before normalisation.

    ``published_at`` is the raw date text as the page shows it (``2026-01-20 13:32``,
    ``3小时前``, an epoch, ISO 8601); the normalise pipeline resolves it.
    ``body`` is plain text, one paragraph per line.
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


@dataclass
class LeaderboardSnapshotItem:
    """One day's leaderboard in one category (``text/overall``): ``(model, score, rank)`` best first."""

    date: str  # YYYY-MM-DD
    category: str
    entries: list[tuple[str, float, int]]
    source_url: str
