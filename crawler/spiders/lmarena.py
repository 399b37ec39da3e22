"""LM Arena leaderboard history: one JSON file, one snapshot item per day and category."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.items import LeaderboardSnapshotItem
from crawler.pages import ParseError, lmarena

SCORES_URL = "https://raw.githubusercontent.com/nakasyou/lmarena-history/main/output/scores.json"


class LmarenaSpider(scrapy.Spider):
    """Fetches the LM Arena score history that github.com/nakasyou/lmarena-history publishes daily."""

    name = "lmarena"
    start_urls = [SCORES_URL]

    def parse(self, response: Response, **kwargs: Any) -> Iterator[LeaderboardSnapshotItem]:
        stats = self.crawler.stats
        try:
            snapshots = lmarena.parse_scores(response.text, response.url)
        except ParseError as exc:
            stats.inc_value(f"aidaily/leaderboard/failed/{exc.reason}")
            self.logger.error("leaderboard file %s not parsed: %s", response.url, exc)
            return
        stats.inc_value("aidaily/leaderboard/snapshots", len(snapshots))
        yield from snapshots
