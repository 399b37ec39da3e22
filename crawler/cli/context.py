"""What every subcommand shares: the Scrapy settings and a way to open the store."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import click
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.store import Store, StoreConfig


@dataclass
class Context:
    """Resolved configuration for one ``aidaily`` invocation."""

    settings: Settings

    @classmethod
    def create(
        cls, *, mongo_uri: str | None, database: str | None = None, data_dir: str | None, verbose: bool
    ) -> Context:
        os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
        settings = get_project_settings()
        if mongo_uri is not None:
            settings.set("MONGO_URI", mongo_uri, priority="cmdline")
        if database:
            settings.set("MONGO_DATABASE", database, priority="cmdline")
        if data_dir:
            settings.set("AIDAILY_DATA_DIR", str(Path(data_dir).resolve()), priority="cmdline")
        if verbose:
            settings.set("LOG_LEVEL", "DEBUG", priority="cmdline")
        logging.basicConfig(level=settings.get("LOG_LEVEL"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        if not verbose:
            # jieba logs its dictionary loading at DEBUG and SecantusDB each start at INFO: noise on a CLI
            for noisy in ("jieba", "secantus"):
                logging.getLogger(noisy).setLevel(logging.WARNING)
        return cls(settings)

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.get("AIDAILY_DATA_DIR"))

    def open_store(self) -> Store:
        """Open the configured database, starting the embedded one if no URI is set."""
        store = None
        try:
            store = StoreConfig.from_settings(self.settings).open()
            store.ping()
        except Exception as exc:  # any connection failure becomes a one-line CLI error
            if store is not None:
                store.close()
            raise click.ClickException(f"cannot open the database: {exc}") from exc
        return store
