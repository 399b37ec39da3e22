"""The screen's log: an exception is one line, and download failures the crawl summary counts are left to the file."""

from __future__ import annotations

import logging

from aidaily.cli.logs import FORMAT, OneLineFormatter, _not_a_counted_download_failure


def record(name: str, msg: str, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, (), exc_info)


def test_an_exception_is_one_line_on_screen_and_keeps_its_traceback_for_the_file() -> None:
    try:
        raise ConnectionError("the database went away")
    except ConnectionError as exc:
        failed = record("crawler.pipelines.store", "could not store %d articles", exc)
    failed.args = (3,)
    line = OneLineFormatter(FORMAT).format(failed)
    assert "\n" not in line and "Traceback" not in line
    assert line.endswith("could not store 3 articles (ConnectionError: the database went away)")
    assert "Traceback" in logging.Formatter(FORMAT).format(failed)  # the record itself is untouched


def test_download_failures_are_left_to_the_log_file() -> None:
    assert not _not_a_counted_download_failure(record("scrapy.core.scraper", "Error downloading %(request)s"))
    assert not _not_a_counted_download_failure(record("scrapy.downloadermiddlewares.retry", "Gave up retrying %s"))
    assert _not_a_counted_download_failure(record("scrapy.core.scraper", "Spider error processing %(request)s"))
    assert _not_a_counted_download_failure(record("crawler.pipelines.store", "Error downloading"))
