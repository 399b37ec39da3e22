"""Crawl run identity: one id shared by every component of a crawl, kept in the crawl stats."""

from __future__ import annotations

import os
from datetime import datetime

from scrapy.crawler import Crawler

from crawler.dates import SHANGHAI

RUN_ID_STAT = "aidaily/run_id"


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, unique run id such as ``20260120T150000-1a2b3c``."""
    now = now or datetime.now(SHANGHAI)
    return f"{now:%Y%m%dT%H%M%S}-{os.urandom(3).hex()}"


def run_id_of(crawler: Crawler) -> str:
    """This crawl's run id: the CRAWL_RUN_ID setting, else one made on first use."""
    assert crawler.stats is not None
    run_id = crawler.stats.get_value(RUN_ID_STAT)
    if not run_id:
        run_id = crawler.settings.get("CRAWL_RUN_ID") or new_run_id()
        crawler.stats.set_value(RUN_ID_STAT, run_id)
    return str(run_id)
