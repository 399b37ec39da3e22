"""Normalise parsed articles into stored documents."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from scrapy.crawler import Crawler

from crawler.dates import SHANGHAI
from crawler.items import ArticleItem
from crawler.normalize import normalize_article
from crawler.runs import run_id_of

logger = logging.getLogger(__name__)
# Date problems counted here; ``missing_date`` is counted by validation, which sees every stored article.
_COUNTED_FLAGS = {"future_date": "future", "unreadable_date": "unreadable", "generic_date": "generic"}
_PROBLEMS = {
    "future_date": "is more than a day after the page was served; refused",
    "unreadable_date": "names no possible time",
}


class NormalizePipeline:
    """ArticleItem -> article document: canonical URL, clean text, resolved date, ids and hashes."""

    def __init__(self, crawler: Crawler, source_names: dict[str, str]) -> None:
        self.crawler = crawler
        self.source_names = source_names

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        return cls(crawler, dict(crawler.settings.getdict("SOURCE_NAMES")))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item  # other item kinds (leaderboard snapshots) have their own pipelines
        doc = normalize_article(
            item,
            fetched_at=datetime.now(SHANGHAI),
            source_names=self.source_names,
            run_id=run_id_of(self.crawler),
        )
        self.count_date_flags(item, doc)
        return doc

    def count_date_flags(self, item: ArticleItem, doc: dict[str, Any]) -> None:
        """Count (and log, one line each) the date problems normalisation found."""
        stats = self.crawler.stats
        assert stats is not None
        for flag in doc["date_flags"]:
            if flag not in _COUNTED_FLAGS:
                continue
            stats.inc_value(f"aidaily/date/{_COUNTED_FLAGS[flag]}")
            stats.inc_value(f"aidaily/source/{doc['source']}/{flag}")
            if flag in _PROBLEMS:
                raw = item.published_at or item.published_fallback
                logger.warning("article %s: date %r %s", doc["url"], raw, _PROBLEMS[flag])
