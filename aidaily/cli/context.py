"""What every subcommand shares: the Scrapy settings and a way to open the store.

Nothing heavy is imported here: ``aidaily --help`` and argument errors must answer at once, so
Scrapy's settings (and with them the project's imports) load on first use.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from crawler.store import Store


@dataclass
class Context:
    """The global options of one ``aidaily`` invocation, resolved into settings when a command needs them."""

    mongo_uri: str | None = None
    database: str | None = None
    data_dir_option: str | None = None
    verbose: bool = False

    @classmethod
    def of(cls, settings: Settings) -> Context:
        """A context over settings already resolved (a copy a command changed)."""
        ctx = cls()
        ctx.__dict__["settings"] = settings
        return ctx

    @cached_property
    def settings(self) -> Settings:
        os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
        from scrapy.utils.project import get_project_settings

        settings = get_project_settings()
        if self.mongo_uri is not None:
            settings.set("MONGO_URI", self.mongo_uri, priority="cmdline")
        if self.database:
            settings.set("MONGO_DATABASE", self.database, priority="cmdline")
        if self.data_dir_option:
            settings.set("AIDAILY_DATA_DIR", str(Path(self.data_dir_option).resolve()), priority="cmdline")
        if self.verbose:
            settings.set("LOG_LEVEL", "DEBUG", priority="cmdline")
        logging.basicConfig(level=settings.get("LOG_LEVEL"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        if not self.verbose:
            # SecantusDB logs each start at INFO and jieba its dictionary loading at DEBUG: noise on a CLI.
            # jieba gets a filter, not a level: it sets its logger's level when it is imported, which is later.
            logging.getLogger("secantus").setLevel(logging.WARNING)
            logging.getLogger("jieba").addFilter(_warnings_and_above)
        return settings

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.get("AIDAILY_DATA_DIR"))

    def open_store(self) -> Store:
        """Open the configured database, starting the embedded one if no URI is set."""
        from crawler.store import StoreConfig

        store = None
        try:
            store = StoreConfig.from_settings(self.settings).open()
            store.ping()
        except Exception as exc:  # any connection failure becomes a one-line CLI error
            if store is not None:
                store.close()
            raise click.ClickException(f"cannot open the database: {exc}") from exc
        return store


def _warnings_and_above(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING
