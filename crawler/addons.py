"""Scrapy add-ons."""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import Settings

from crawler.embedded import EmbeddedDatabaseError, EmbeddedMongo

logger = logging.getLogger(__name__)


class EmbeddedMongoAddon:
    """Under a bare ``scrapy crawl`` with no ``MONGO_URI``, start the embedded database once.

    Every component then sees one ``MONGO_URI`` and none of them starts or stops a server of
    its own. ``aidaily crawl`` starts the server itself and sets ``MONGO_URI``, so this does
    nothing there.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.server: EmbeddedMongo | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EmbeddedMongoAddon:
        addon = cls(crawler)
        crawler.signals.connect(addon.engine_stopped, signal=signals.engine_stopped)
        return addon

    def update_settings(self, settings: Settings) -> None:
        if settings.get("MONGO_URI"):
            return
        self.server = EmbeddedMongo(Path(settings.get("AIDAILY_DATA_DIR")) / "db")
        settings.set("MONGO_URI", self.server.start(), priority="addon")

    def engine_stopped(self) -> None:
        if self.server is None:
            return
        server, self.server = self.server, None
        try:
            server.stop()
        except EmbeddedDatabaseError as exc:
            # One line where the crawl's log ends, not a signal-handler traceback.
            logger.critical("%s", exc)
