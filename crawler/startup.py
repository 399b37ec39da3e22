"""Spiders that could not start: the cause (a bad setting, a path) in one line, the traceback in the log file.

A crawler fails to open when a setting cannot be read as its type (``-s CONCURRENT_REQUESTS=abc``),
a folder cannot be made (``--jobdir`` under a file), a spider's own settings cannot be loaded (a
broken sources file). Such a spider did not finish: the crawl says so and exits 1, and the run's
``crawl_runs`` document carries the cause as the spider's finish reason, so ``aidaily daily``
flags it with the cause.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any

from pymongo.errors import PyMongoError
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import BaseSettings
from scrapy.utils.reactor import is_reactor_installed
from twisted.python.failure import Failure

from crawler.dates import SHANGHAI
from crawler.dbproblem import database_problem, log_in_full
from crawler.extensions import record_part
from crawler.health import run_part
from crawler.store import StoreConfig

logger = logging.getLogger(__name__)
NOT_STARTED = "did not start"


def start_problem(exc: BaseException) -> str:
    """One line for why a crawler did not open, naming the setting Scrapy was reading when it failed."""
    cause = f"{type(exc).__name__}: {exc}"
    setting = _setting_being_read(exc.__traceback__)
    return f"setting {setting}: {cause}" if setting else cause


def _setting_being_read(tb: TracebackType | None) -> str | None:
    """The name passed to the innermost ``Settings.get*`` call of the traceback, if the failure is in one."""
    found = None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__") == "scrapy.settings" and isinstance(frame.f_locals.get("name"), str):
            found = frame.f_locals["name"]
        tb = tb.tb_next
    return found


def start_crawlers(
    process: CrawlerProcess, names: Iterable[str], prepare: Callable[[str, Crawler], None]
) -> tuple[dict[str, Crawler], dict[str, str]]:
    """Schedule each spider of ``names`` in ``process`` (``prepare`` first); return the crawlers and, filled in
    as the process runs, why each spider that failed to be created or to open did not start."""
    crawlers: dict[str, Crawler] = {}
    failures: dict[str, str] = {}
    for name in names:
        try:
            # Not process.create_crawler(name): it leaves the reactor to the first crawler it creates,
            # so one that fails to be created would leave the others without one.
            spidercls = process.spider_loader.load(name)
            crawler = Crawler(spidercls, process.settings, init_reactor=not is_reactor_installed())
        except Exception as exc:  # a spider's settings that cannot be applied: counted, logged, shown
            _failed(failures, name, exc)
            continue
        crawlers[name] = crawler
        prepare(name, crawler)
        process.crawl(crawler).addErrback(_did_not_start, name, failures)
    return crawlers, failures


def _did_not_start(failure: Failure, name: str, failures: dict[str, str]) -> None:
    # Consumed here, so Twisted does not print it as an "Unhandled error in Deferred".
    assert failure.value is not None
    _failed(failures, name, failure.value)


def _failed(failures: dict[str, str], name: str, exc: BaseException) -> None:
    failures[name] = start_problem(exc)
    logger.error("spider %s %s: %s", name, NOT_STARTED, failures[name], exc_info=exc)


def failure_lines(failures: Mapping[str, str]) -> list[str]:
    """A line per cause, naming the spiders it stopped: ``FAILED ithome, qbitai: did not start — setting …``."""
    by_cause: dict[str, list[str]] = {}
    for name, cause in sorted(failures.items()):
        by_cause.setdefault(cause, []).append(name)
    return [f"FAILED {', '.join(names)}: {NOT_STARTED} — {cause}" for cause, names in by_cause.items()]


def record_start_failures(settings: BaseSettings, run_id: str, failures: Mapping[str, str]) -> None:
    """Add each spider that did not start to run ``run_id`` in ``crawl_runs``, its cause as its finish reason."""
    if not failures or not settings.getbool("CRAWL_RUNS_ENABLED") or not settings.get("MONGO_URI"):
        return
    now = datetime.now(SHANGHAI)
    try:
        with StoreConfig.from_settings(settings).open() as store:
            for name, cause in sorted(failures.items()):
                reason = f"{NOT_STARTED}: {cause}"
                part = run_part(spider=name, started_at=now, finished_at=now, finish_reason=reason, stats={})
                record_part(store.runs, run_id, part)
    except PyMongoError as exc:  # the crawl's summary still shows the causes; only the run document lacks them
        why = database_problem(exc)
        logger.error("crawl run %s: the spiders that did not start were not recorded (%s)", run_id, why)
        log_in_full(logger, exc)


def stats_of(crawlers: Mapping[str, Crawler], failures: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The final stats of each spider that started."""
    return {n: dict(c.stats.get_stats()) if c.stats else {} for n, c in crawlers.items() if n not in failures}
