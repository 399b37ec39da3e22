"""``aidaily crawl`` and ``aidaily list``: run spiders through Scrapy's engine."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from crawler.cli.context import Context
from crawler.distributed import configure as configure_distributed
from crawler.embedded import EmbeddedDatabaseError, EmbeddedMongo
from crawler.mirror import MirrorServer
from crawler.runs import new_run_id
from crawler.writer import UNKEPT, losses


def register(group: click.Group) -> None:
    group.add_command(crawl_command)
    group.add_command(list_command)


def spider_names(settings: Settings) -> list[str]:
    return sorted(SpiderLoader.from_settings(settings).list())


@contextlib.contextmanager
def crawl_services(settings: Settings, mirror: Path | None, data_dir: Path) -> Iterator[None]:
    """Start what a crawl needs around it: the mirror server, the embedded database."""
    with contextlib.ExitStack() as stack:
        if mirror is not None:
            server = stack.enter_context(MirrorServer(mirror))
            settings.set("MIRROR_URL", server.base_url, priority="cmdline")
            # The mirror is local: no politeness delay is owed to it.
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
            settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        if not settings.get("MONGO_URI"):
            # One server for every spider of this process, rather than one per store pipeline.
            embedded = stack.enter_context(EmbeddedMongo(data_dir / "db"))
            settings.set("MONGO_URI", embedded.uri, priority="cmdline")
        yield


def run_crawl(settings: Settings, names: list[str]) -> dict[str, dict[str, Any]]:
    """Crawl ``names`` in one process and return each spider's final stats."""
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # the CLI configured logging already
    process = CrawlerProcess(settings)
    crawlers = {}
    for name in names:
        crawler = process.create_crawler(name)
        crawlers[name] = crawler
        process.crawl(crawler)
    process.start()
    return {name: dict(crawler.stats.get_stats()) if crawler.stats else {} for name, crawler in crawlers.items()}


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
    """Crawl SPIDERS (default: all) and store their articles in MongoDB."""
    settings = ctx.settings.copy()
    known = spider_names(settings)
    unknown = [s for s in spiders if s not in known]
    if unknown:
        raise click.UsageError(f"unknown spider {', '.join(unknown)}; known: {', '.join(known)}")
    pairs = [pair.partition("=") for pair in overrides]
    bad = [name for name, sep, _ in pairs if not sep]
    if bad:
        raise click.UsageError(f"--set takes NAME=VALUE, not {bad[0]!r}")
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
    try:
        with crawl_services(settings, mirror, ctx.data_dir):
            for name, _, value in pairs:  # last, so they win over what the services set
                settings.set(name, value, priority="cmdline")
            results = run_crawl(settings, list(spiders) or known)
            if seed:
                for name, stats in results.items():
                    click.echo(f"{name}: seeded {stats.get('scheduler/enqueued/redis', 0)} requests")
                return
            print_summary(results)
    except EmbeddedDatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    problems = [f"{name}: {loss}" for name, stats in results.items() for loss in losses(stats)]
    if problems:
        raise click.ClickException("; ".join(problems))


def print_summary(results: dict[str, dict[str, Any]]) -> None:
    for name, stats in results.items():
        click.echo(
            f"{name}: found {stats.get('aidaily/articles/found', 0)}, "
            f"new {stats.get('aidaily/store/inserted', 0)}, updated {stats.get('aidaily/store/updated', 0)}, "
            f"unchanged {stats.get('aidaily/store/unchanged', 0)}, spooled {stats.get('aidaily/store/spooled', 0)}, "
            f"unkept {stats.get(UNKEPT, 0)}, "
            f"dropped {sum(v for k, v in stats.items() if k.startswith('aidaily/dropped/'))}, "
            f"skipped {sum(v for k, v in stats.items() if k.startswith('aidaily/article/skipped/'))}"
        )


@click.command("list")
@click.pass_obj
def list_command(ctx: Context) -> None:
    """List the spiders."""
    for name in spider_names(ctx.settings):
        click.echo(name)
