"""What every subcommand shares: the Scrapy settings and a way to open the store.

Nothing heavy is imported here: ``aidaily --help`` and argument errors must answer at once, so
Scrapy's settings (and with them the project's imports) load on first use.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

SLOW_START_SECONDS = 1.0

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from crawler.store import Store


class BadInput(click.ClickException):
    """A usage mistake, shown as one ``Error: ...`` line (exit status 2, as click's own usage errors)."""

    exit_code = 2


@dataclass
class Context:
    """The global options of one ``aidaily`` invocation, resolved into settings when a command needs them."""

    mongo_uri: str | None = None
    database: str | None = None
    data_dir_option: str | None = None
    verbose: int = 0  # -v: INFO on screen, -vv: DEBUG (Scrapy's too); logs always go to the log file
    log_path: Path | None = None

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

        from crawler.envvalues import BadEnvironmentValue

        try:
            settings = get_project_settings()
        except BadEnvironmentValue as exc:  # crawler.settings reads the environment on import
            raise BadInput(str(exc)) from exc
        if self.mongo_uri is not None:
            settings.set("MONGO_URI", self.mongo_uri, priority="cmdline")
        if self.database:
            settings.set("MONGO_DATABASE", self.database, priority="cmdline")
        if self.data_dir_option:
            settings.set("AIDAILY_DATA_DIR", str(Path(self.data_dir_option).resolve()), priority="cmdline")
        if self.verbose >= 2:
            settings.set("LOG_LEVEL", "DEBUG", priority="cmdline")
        from aidaily.cli.logs import configure

        self.log_path = configure(self.verbose, Path(settings.get("AIDAILY_DATA_DIR")), settings.get("LOG_LEVEL"))
        return settings

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.get("AIDAILY_DATA_DIR"))

    def open_store(self) -> Store:
        """Open the configured database, starting the embedded one if no URI is set."""
        from crawler.store import StoreConfig

        config = StoreConfig.from_settings(self.settings)
        store = None
        # The embedded database starts in well under a second on a warm machine; when it takes longer
        # (a cold disk, WiredTiger recovering after a killed process) say why the command waits.
        what = "connecting to the database…" if self.settings.get("MONGO_URI") else "starting the database…"
        note = threading.Timer(SLOW_START_SECONDS, click.echo, (what,), {"err": True}) if sys.stderr.isatty() else None
        if note is not None:
            note.daemon = True
            note.start()
        try:
            store = config.open()
            store.ping()
        except Exception as exc:  # any connection failure becomes a one-line CLI error
            from crawler.dbproblem import database_problem, log_in_full

            if store is not None:
                store.close()
            log_in_full(logging.getLogger(__name__), exc)
            raise click.ClickException(f"cannot open the database: {database_problem(exc)}") from exc
        finally:
            if note is not None:
                note.cancel()
        return store
