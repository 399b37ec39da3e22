"""Where the CLI's logs go: always to a file under ``<data dir>/logs/``; to the screen only when asked.

Quiet by default: stderr shows warnings and errors, and the commands print their results and a
summary. ``-v`` adds INFO to the screen, ``-vv`` DEBUG, Scrapy's per-request lines included. The
file gets INFO (DEBUG with ``-vv``) whatever the screen shows: a crawl's Scrapy log, the
embedded database's address, enrichment timings.
"""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
SCREEN_LEVELS = {0: logging.WARNING, 1: logging.INFO}
# Libraries that log each start or dictionary load at INFO/DEBUG: noise even in the file.
_CHATTY = ("secantus",)


def log_file(data_dir: Path, day: date | None = None) -> Path:
    """Today's log file: one per day, appended to by every command (no rotation to race on)."""
    return data_dir / "logs" / f"aidaily-{(day or date.today()).isoformat()}.log"


def configure(verbosity: int, data_dir: Path, file_level: str = "INFO") -> Path | None:
    """Send logs to today's file and, by ``verbosity``, to stderr; return the file (None if it cannot be written)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_aidaily", False)]:
        root.removeHandler(handler)  # configured twice in one process (tests): replace, never duplicate
        handler.close()
    screen_level = SCREEN_LEVELS.get(verbosity, logging.DEBUG)
    level = logging.DEBUG if verbosity >= 2 else logging.getLevelName(file_level.upper())
    if not isinstance(level, int):
        level = logging.INFO
    screen = logging.StreamHandler(sys.stderr)
    screen.setLevel(screen_level)
    screen.setFormatter(OneLineFormatter(FORMAT))
    if verbosity < 1:
        screen.addFilter(_not_a_counted_download_failure)
    handlers: list[logging.Handler] = [screen]
    path: Path | None = log_file(data_dir)
    try:
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        file = logging.FileHandler(path, encoding="utf-8", delay=True)
        file.setLevel(level)
        file.setFormatter(logging.Formatter(FORMAT))
        handlers.append(file)
    except OSError as exc:  # a read-only data folder must not stop a search; say so once
        path = None
        screen.setLevel(min(screen_level, logging.WARNING))
        print(f"warning: cannot write logs under {data_dir / 'logs'}: {exc}", file=sys.stderr)
    for handler in handlers:
        handler._aidaily = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(min(level, screen_level))
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)
    if verbosity < 2:
        quiet_jieba()
    return path


# Scrapy's log of a request that got no answer: each is counted per source and shown in the crawl's
# summary (crawler.outcomes), so on screen they only repeat it; the log file keeps them, tracebacks too.
_DOWNLOAD_FAILURES = {
    "scrapy.core.scraper": ("Error downloading",),
    "scrapy.downloadermiddlewares.retry": ("Gave up retrying", "Retrying"),
    "scrapy.downloadermiddlewares.robotstxt": ("Error downloading",),
    # A spider that did not start: the summary names the cause in one line.
    "crawler.startup": ("spider ",),
}


def _not_a_counted_download_failure(record: logging.LogRecord) -> bool:
    prefixes = _DOWNLOAD_FAILURES.get(record.name)
    return not (prefixes and str(record.msg).startswith(prefixes))


class OneLineFormatter(logging.Formatter):
    """The screen's format: an exception is one line (its type and message); the traceback is in the log file."""

    def format(self, record: logging.LogRecord) -> str:
        line = logging.Formatter.format(self, _without_traceback(record))
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line += f" ({type(exc).__name__}: {exc})"
        return line


def _without_traceback(record: logging.LogRecord) -> logging.LogRecord:
    copy = logging.makeLogRecord(record.__dict__)
    copy.exc_info, copy.exc_text, copy.stack_info = None, None, None
    return copy


def quiet_jieba() -> None:
    """Drop jieba's INFO/DEBUG lines: it sets its logger's level and its own stderr handler on import (later),
    so a filter on the logger is what stays."""
    jieba = logging.getLogger("jieba")
    if _warnings_and_above not in jieba.filters:
        jieba.addFilter(_warnings_and_above)


def _warnings_and_above(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING
