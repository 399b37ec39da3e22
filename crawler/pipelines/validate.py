"""Validate article documents before they are stored."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.tally import lost_key

REQUIRED = ("url", "source", "title", "body")
# Verification pages are short; a long article that merely quotes a marker is not one.
BLOCK_CHECK_MAX_BODY = 1500


class ValidatePipeline:
    """Drop documents that are not articles: missing fields, empty bodies, verification pages."""

    def __init__(
        self, stats: StatsCollector, block_markers: list[str], min_body_chars: int, require_date: bool
    ) -> None:
        self.stats = stats
        self.block_markers = block_markers
        self.min_body_chars = min_body_chars
        self.require_date = require_date

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        s = crawler.settings
        assert crawler.stats is not None
        return cls(
            crawler.stats,
            s.getlist("VALIDATE_BLOCK_MARKERS"),
            s.getint("VALIDATE_MIN_BODY_CHARS"),
            s.getbool("VALIDATE_REQUIRE_DATE"),
        )

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or "content_hash" not in item:
            return item
        reason = self.problem(item)
        if reason:
            self.stats.inc_value(f"aidaily/dropped/{reason}")
            self.stats.inc_value(f"aidaily/source/{item.get('source')}/dropped")
            self.stats.inc_value(lost_key(str(item.get("source")), reason))
            raise DropItem(f"{reason}: {item.get('url')}")
        if item.get("published_at") is None:
            # stored all the same, flagged (``date_flags``); a later crawl that finds the date fills it in
            self.stats.inc_value("aidaily/validate/missing_date")
            self.stats.inc_value(f"aidaily/source/{item.get('source')}/missing_date")
        return item

    def problem(self, doc: dict[str, Any]) -> str | None:
        """The reason ``doc`` must not be stored, or None."""
        for field in REQUIRED:
            if not doc.get(field):
                return f"missing_{field}"
        if self.is_blocked(doc):
            return "verification_page"
        if len(doc["body"]) < self.min_body_chars:
            return "body_too_short"
        if self.require_date and doc.get("published_at") is None:
            return "missing_published_at"
        return None

    def is_blocked(self, doc: dict[str, Any]) -> bool:
        body = doc["body"]
        head = doc["title"] + "\n" + (body[:500] if len(body) < BLOCK_CHECK_MAX_BODY else "")
        return any(marker in head for marker in self.block_markers)
