"""Normalise parsed articles into stored documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scrapy.crawler import Crawler

from crawler.dates import SHANGHAI
from crawler.items import ArticleItem
from crawler.normalize import normalize_article
from crawler.runs import run_id_of


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
        return normalize_article(
            item,
            fetched_at=datetime.now(SHANGHAI),
            source_names=self.source_names,
            run_id=run_id_of(self.crawler),
        )
