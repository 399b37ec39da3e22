"""One crawl of the bench mirror, in this process, as the crawl bench starts it: prints its figures as JSON.

    python -m bench.crawl_run --mode off|embedded|server --mirror URL --data DIR [--mongo-uri URI] SPIDER...

``off``: the same spiders and pipelines without the store (parse, normalise, validate: storage switched
off); ``embedded``: the full pipeline into the embedded SecantusDB, which runs inside this process as
``aidaily crawl`` starts it; ``server``: the full pipeline into a database in another process. Timed from
the first spider opening to the last one closing (its store flushed), with this process's CPU seconds
(all its threads: the embedded database's included) over the same span.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import resource
import time
from pathlib import Path
from typing import Any, ClassVar

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawler.embedded import EmbeddedMongo

STORE = "crawler.pipelines.store.MongoStorePipeline"
FAST = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "ROBOTSTXT_OBEY": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "WARNING",
    "CRAWL_RUNS_ENABLED": False,  # one write at the end, left out of every mode alike
}


class Clock:
    """The span from the first spider opened to the last closed, in wall and CPU seconds."""

    opened: ClassVar[list[tuple[float, float]]] = []
    closed: ClassVar[list[tuple[float, float]]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Clock:
        probe = cls()
        crawler.signals.connect(probe.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(probe.spider_closed, signal=signals.spider_closed)
        return probe

    @staticmethod
    def _now() -> tuple[float, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return time.monotonic(), usage.ru_utime + usage.ru_stime

    def spider_opened(self) -> None:
        Clock.opened.append(self._now())

    def spider_closed(self) -> None:
        Clock.closed.append(self._now())


def settings_for(mode: str, mirror: str, data: str, mongo_uri: str | None) -> Any:
    settings = get_project_settings()
    settings.setdict(FAST | {"MIRROR_URL": mirror, "AIDAILY_DATA_DIR": data}, priority="cmdline")
    settings.set("EXTENSIONS", {**settings.getdict("EXTENSIONS"), "bench.crawl_run.Clock": 0}, priority="cmdline")
    if mode == "off":
        pipelines = {k: v for k, v in settings.getdict("ITEM_PIPELINES").items() if k != STORE}
        settings.set("ITEM_PIPELINES", pipelines, priority="cmdline")
        settings.set("ADDONS", {}, priority="cmdline")  # no database at all
    elif mode == "server":
        settings.set("MONGO_URI", mongo_uri, priority="cmdline")
    else:
        settings.set("MONGO_URI", mongo_uri, priority="cmdline")  # the embedded server main() started
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("off", "embedded", "server"), required=True)
    parser.add_argument("--mirror", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--mongo-uri")
    parser.add_argument("spiders", nargs="+")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        uri = args.mongo_uri
        if args.mode == "embedded":  # one server in this process for every spider, as ``aidaily crawl`` does
            uri = stack.enter_context(EmbeddedMongo(Path(args.data) / "db")).uri
        process = CrawlerProcess(settings_for(args.mode, args.mirror, args.data, uri))
        crawlers = [process.create_crawler(name) for name in args.spiders]
        for crawler in crawlers:
            process.crawl(crawler)
        process.start()
    stats = [c.stats.get_stats() if c.stats else {} for c in crawlers]
    # The extension was loaded by name, as ``bench.crawl_run``, not as this ``__main__`` module.
    clock = importlib.import_module("bench.crawl_run").Clock
    (wall0, cpu0), (wall1, cpu1) = min(clock.opened), max(clock.closed)
    print(
        json.dumps(
            {
                "mode": args.mode,
                "items": sum(int(s.get("item_scraped_count", 0)) for s in stats),
                "stored": sum(int(s.get("aidaily/store/inserted", 0)) for s in stats),
                "spooled": sum(int(s.get("aidaily/store/spooled", 0)) for s in stats),
                "elapsed": [s.get("elapsed_time_seconds") for s in stats],
                "dropped": sum(int(v) for s in stats for k, v in s.items() if k.startswith("aidaily/dropped/")),
                "responses": sum(int(s.get("response_received_count", 0)) for s in stats),
                "retries": sum(int(s.get("retry/count", 0)) for s in stats),
                "errors": sorted({k for s in stats for k in s if k.startswith("downloader/exception_type_count/")}),
                "bytes": sum(int(s.get("downloader/response_bytes", 0)) for s in stats),
                "seconds": wall1 - wall0,
                "cpu": cpu1 - cpu0,
            }
        )
    )


if __name__ == "__main__":
    main()
