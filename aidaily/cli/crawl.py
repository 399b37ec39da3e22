"""``aidaily crawl`` and ``aidaily list``: run spiders through Scrapy's engine."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from aidaily.cli.context import Context
from aidaily.cli.progress import make_display

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from aidaily.cli.progress import Display


def spider_names() -> list[str]:
    """The project's spiders, read from their modules' source: names are checked before Scrapy is imported."""
    from crawler.spiderlist import spider_names as names

    return names()


def checked_arguments(
    spiders: tuple[str, ...], known: list[str], overrides: tuple[str, ...]
) -> list[tuple[str, str, str]]:
    """Refuse an unknown spider or a ``--set`` that is not NAME=VALUE; the overrides as (name, "=", value)."""
    unknown = [s for s in spiders if s not in known]
    if unknown:
        raise click.UsageError(f"unknown spider {', '.join(unknown)}; known: {', '.join(known)}")
    pairs = [pair.partition("=") for pair in overrides]
    bad = [name for name, sep, _ in pairs if not sep]
    if bad:
        raise click.UsageError(f"--set takes NAME=VALUE, not {bad[0]!r}")
    return pairs


@contextlib.contextmanager
def crawl_services(settings: Settings, mirror: Path | None, data_dir: Path, *, database: bool = True) -> Iterator[None]:
    """Start what a crawl needs around it: the mirror server, the embedded database (unless ``database`` is off)."""
    from crawler.embedded import EmbeddedMongo
    from crawler.mirror import MirrorServer

    with contextlib.ExitStack() as stack:
        if mirror is not None:
            server = stack.enter_context(MirrorServer(mirror))
            settings.set("MIRROR_URL", server.base_url, priority="cmdline")
            # The mirror is local: no politeness delay is owed to it.
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
            settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        if database and not settings.get("MONGO_URI"):
            # One server for every spider of this process, rather than one per store pipeline.
            embedded = stack.enter_context(EmbeddedMongo(data_dir / "db"))
            settings.set("MONGO_URI", embedded.uri, priority="cmdline")
        yield


def run_crawl(
    settings: Settings, names: list[str], display: Display | None = None
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Crawl ``names`` in one process: each started spider's final stats, and why each other one did not start."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.startup import record_start_failures, start_crawlers, stats_of

    # The CLI configured logging already: Scrapy's lines go to the log file, and to the screen only with -v.
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)

    def prepare(name: str, crawler: Any) -> None:
        if display is not None:
            _follow_spider(crawler, name, display, signals)

    crawlers, failures = start_crawlers(process, names, prepare)
    if crawlers:
        process.start()
    record_start_failures(settings, settings.get("CRAWL_RUN_ID"), failures)
    return stats_of(crawlers, failures), failures


@click.command("crawl")
@click.argument("spiders", nargs=-1)
@click.option(
    "--mirror",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Serve saved pages from DIR instead of the internet.",
)
@click.option("--http-cache", is_flag=True, help="Cache responses on disk (development).")
@click.option("--jobdir", type=click.Path(file_okay=False), help="Persist the crawl state here to pause and resume.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@click.option("--distributed", is_flag=True, help="Share one request queue in Redis (REDIS_URL) with other workers.")
@click.option("--seed", is_flag=True, help="With --distributed: enqueue the start requests for the workers, then exit.")
@click.pass_obj
def crawl_command(
    ctx: Context,
    spiders: tuple[str, ...],
    mirror: Path | None,
    http_cache: bool,
    jobdir: str | None,
    overrides: tuple[str, ...],
    distributed: bool = False,
    seed: bool = False,
) -> None:
    """Crawl SPIDERS (default: all) and store their articles in MongoDB.

    Exit status: 0 every source answered, 1 a source fetched nothing or a spider did not finish.
    """
    known = spider_names()
    pairs = checked_arguments(spiders, known, overrides)  # before Scrapy loads: a typo answers at once
    from scrapy.settings import Settings

    from crawler.distributed import configure as configure_distributed
    from crawler.embedded import EmbeddedDatabaseError
    from crawler.runs import new_run_id
    from crawler.writer import losses

    settings = ctx.settings.copy()
    if http_cache:
        settings.set("HTTPCACHE_ENABLED", True, priority="cmdline")
    if jobdir:
        settings.set("JOBDIR", jobdir, priority="cmdline")
    settings.set("CRAWL_RUN_ID", settings.get("CRAWL_RUN_ID") or new_run_id(), priority="cmdline")
    # -s DISTRIBUTED=... is applied late (after the services start) but decides the scheduler now.
    switch = Settings({"DISTRIBUTED": settings["DISTRIBUTED"]} | {n: v for n, _, v in pairs if n == "DISTRIBUTED"})
    distributed = distributed or switch.getbool("DISTRIBUTED")
    if seed and not distributed:
        raise click.UsageError("--seed fills the shared queue of a --distributed crawl; add --distributed")
    if distributed:
        if not settings.get("MONGO_URI"):
            raise click.UsageError("a distributed crawl writes to one shared MongoDB: give --mongo-uri (or MONGO_URI)")
        configure_distributed(settings, seed=seed)
    # On a terminal (and not with -v, whose log lines would tear it): a live display of each spider's items.
    display = make_display(True) if sys.stdout.isatty() and not ctx.verbose else None
    try:
        with crawl_services(settings, mirror, ctx.data_dir):
            for name, _, value in pairs:  # last, so they win over what the services set
                settings.set(name, value, priority="cmdline")
            try:
                results, failures = run_crawl(settings, list(spiders) or known, display)
            finally:
                if display is not None:
                    display.close()
            if seed:
                for name, stats in results.items():
                    click.echo(f"{name}: seeded {stats.get('scheduler/enqueued/redis', 0)} requests")
                return
            # printed before the database closes: a close that fails must not hide what the crawl did
            status = print_summary(results, settings.getdict("SOURCE_NAMES"), ctx.log_path, failures)
    except EmbeddedDatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    problems = [f"{name}: {loss}" for name, stats in results.items() for loss in losses(stats)]
    if problems:
        raise click.ClickException("; ".join(problems))
    click.get_current_context().exit(status)


def _follow_spider(crawler: Any, name: str, display: Display, signals: Any) -> None:
    """Advance ``display`` on every item the spider yields, and finish it when the spider closes."""
    display.stage(name)
    # weak=False: Scrapy holds receivers weakly, and these lambdas have no other reference.
    crawler.signals.connect(lambda *_, **__: display.advance(name, "items"), signal=signals.item_scraped, weak=False)
    crawler.signals.connect(lambda *_, **__: display.finish(name, "done"), signal=signals.spider_closed, weak=False)


def summary_line(name: str, stats: dict[str, Any]) -> str:
    """One spider's result: what it found and what the store did with it (leaderboard snapshots for lmarena)."""
    from crawler.crawlsummary import spider_line

    return spider_line(name, stats)


def print_summary(
    results: dict[str, dict[str, Any]],
    names: dict[str, str] | None = None,
    log_path: Path | None = None,
    failures: dict[str, str] | None = None,
) -> int:
    """Print a line per spider, one per source that fetched nothing, one per cause that kept spiders from
    starting; return the exit status."""
    from crawler.crawlsummary import crawl_summary
    from crawler.startup import failure_lines

    lines, status = crawl_summary(results, names)
    for line in [*lines, *failure_lines(failures or {})]:
        click.echo(line)
    if log_path is not None and (failures or any(s.get("log_count/ERROR") for s in results.values())):
        click.echo(f"log: {log_path}")
    return max(status, 1) if failures else status


@click.command("list")
@click.pass_obj
def list_command(ctx: Context) -> None:
    """List the spiders."""
    for name in spider_names():
        click.echo(name)
