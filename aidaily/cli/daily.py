"""``aidaily daily``: the unattended daily job — crawl every source, enrich what is new, write the reports.

The crawl runs as a child ``aidaily crawl`` process: Twisted's reactor cannot be started twice in
one process, and a child keeps the crawl's logging, signal handling and memory out of the rest of
the job. ``daily`` starts the embedded database itself when no URI is set (the child and the later
stages then share it over ``--mongo-uri``), so the database outlives the crawl.

Exit status: 0 every source fine; 1 a spider failed or a source was flagged unhealthy (the reports
are still written); 2 the run itself failed (the crawl process failed, the database is unreachable,
no article was published on the day, a report could not be written).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from aidaily.cli.commentary import commentator_for, llm_config, llm_options
from aidaily.cli.context import Context
from aidaily.cli.crawl import crawl_services, spider_names
from aidaily.cli.enrich import enrich_settings, load_models
from aidaily.cli.export import DATE
from aidaily.cli.progress import make_display
from crawler.health import Flag, loss_reasons, merged_sources
from crawler.sources import BUILTIN_SOURCES, source_name
from reports.styles import FORMATS, STYLES

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from aidaily.cli.progress import Display
    from crawler.store import Store
    from enrich.llm import LLMConfig

EXIT_OK, EXIT_UNHEALTHY, EXIT_FAILED = 0, 1, 2
POLL_SECONDS = 0.5


def register(group: click.Group) -> None:
    group.add_command(daily_command)


class RunFailed(Exception):
    """A stage of the daily run failed; the run exits with status 2."""


@dataclass
class DailyOutcome:
    """What the summary prints."""

    day: date
    run_id: str
    crawl_status: int = 0
    crawl_log: Path | None = None
    run: dict[str, Any] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    enriched: int = 0
    clusters_new: int = 0
    clusters_total: int = 0
    llm: dict[str, Any] | None = None
    llm_note: str = ""
    reports: list[Path] = field(default_factory=list)
    error: str | None = None

    @property
    def exit_code(self) -> int:
        if self.error is not None or self.crawl_status != 0:
            return EXIT_FAILED
        return EXIT_UNHEALTHY if self.flags else EXIT_OK


@click.command("daily")
@click.option("--date", "day", type=DATE, help="The report day (Asia/Shanghai), YYYY-MM-DD; default: today.")
@click.option(
    "--mirror",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Crawl saved pages from DIR instead of the internet.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the reports; default: <AIDAILY_DATA_DIR>/reports.",
)
@click.option(
    "--style",
    "styles",
    multiple=True,
    type=click.Choice(STYLES),
    help="Report style (repeat it); default: DAILY_STYLES.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True)
@click.option("--llm/--no-llm", "use_llm", default=True, show_default=True, help="Use the configured LLM endpoint.")
@llm_options
@click.pass_obj
def daily_command(
    ctx: Context,
    day: date | None,
    mirror: Path | None,
    out: Path | None,
    styles: tuple[str, ...],
    fmt: str,
    use_llm: bool,
    base_url: str | None,
    model: str | None,
) -> None:
    """Crawl every spider (incremental), enrich, write the day's reports; print a summary.

    Exit status: 0 all fine, 1 a source failed or was flagged unhealthy, 2 the run failed.
    """
    from pymongo.errors import PyMongoError

    from crawler.dates import SHANGHAI
    from crawler.runs import new_run_id

    day = day or datetime.now(SHANGHAI).date()
    chosen = list(styles or ctx.settings.getlist("DAILY_STYLES"))
    unknown = [s for s in chosen if s not in STYLES]
    if unknown:
        raise click.UsageError(f"DAILY_STYLES: unknown style {', '.join(unknown)}; known: {', '.join(STYLES)}")
    out = out or ctx.data_dir / "reports"
    config = llm_config(ctx, base_url=base_url, model=model)
    outcome = DailyOutcome(day=day, run_id=new_run_id())
    display = make_display(sys.stdout.isatty())
    settings = ctx.settings.copy()
    try:
        with crawl_services(settings, None, ctx.data_dir), Context.of(settings).open_store() as store:
            store.ensure_indexes()
            crawl_stage(store, settings, outcome, mirror, display)
            enrich_stage(store, settings, outcome, display)
            report_stage(store, settings, outcome, display, out=out, styles=chosen, fmt=fmt, llm=use_llm, config=config)
    except (RunFailed, click.ClickException, PyMongoError, OSError) as exc:
        message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
        outcome.error = message
    finally:
        display.close()
    for line in summary_lines(outcome, settings):
        click.echo(line)
    click.get_current_context().exit(outcome.exit_code)


def crawl_stage(store: Store, settings: Settings, outcome: DailyOutcome, mirror: Path | None, display: Display) -> None:
    """Every spider in a child ``aidaily crawl``, incremental; then judge the run's health."""
    from crawler.runlog import judge_run

    spiders = spider_names(settings)
    log_dir = Path(settings.get("AIDAILY_DATA_DIR")) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    outcome.crawl_log = log_dir / f"daily-{outcome.run_id}.log"
    command = [
        sys.executable, "-c", "from aidaily.cli import main; main(prog_name='aidaily')",
        "crawl", *(["--mirror", str(mirror)] if mirror else []),
        "-s", "INCREMENTAL=True", "-s", f"CRAWL_RUN_ID={outcome.run_id}",
    ]  # fmt: skip
    # The database through the environment, not the command line, where `ps` would show its password.
    env = os.environ | {
        "MONGO_URI": settings.get("MONGO_URI"),
        "MONGO_DATABASE": settings.get("MONGO_DATABASE"),
        "AIDAILY_DATA_DIR": settings.get("AIDAILY_DATA_DIR"),
    }
    display.stage("crawl", total=len(spiders))
    with outcome.crawl_log.open("w", encoding="utf-8") as log:
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            _follow(store, child, outcome.run_id, display)
        finally:
            if child.poll() is None:  # this process is failing or interrupted: leave no crawl behind
                child.terminate()
                child.wait()
    outcome.crawl_status = child.returncode
    display.finish("crawl", f"exit status {child.returncode}, log {outcome.crawl_log}")
    extra = settings.getdict("SOURCE_NAMES")
    names = {s: source_name(s, extra) for s in BUILTIN_SOURCES} | extra
    outcome.run, outcome.flags = judge_run(
        store,
        outcome.run_id,
        day=outcome.day,
        history_runs=settings.getint("HEALTH_HISTORY_RUNS"),
        margin=settings.getfloat("HEALTH_COVERAGE_MARGIN"),
        min_stored=settings.getint("HEALTH_MIN_STORED"),
        expected_spiders=spiders,
        names=names,
    )


def _follow(store: Store, child: subprocess.Popen[bytes], run_id: str, display: Display) -> None:
    """Until the crawl process exits, show each spider as its figures reach ``crawl_runs``."""
    done: set[str] = set()
    while True:
        finished = child.poll() is not None
        run = store.runs.find_one({"_id": run_id}, projection={"spiders": 1}) or {}
        for spider in sorted(set(run.get("spiders", [])) - done):
            done.add(spider)
            display.advance("crawl", f"{spider} done")
        if finished:
            return
        time.sleep(POLL_SECONDS)


def enrich_stage(store: Store, settings: Settings, outcome: DailyOutcome, display: Display) -> None:
    """Enrich every article not enriched yet (new, or changed by the crawl); count the day's clusters."""
    from crawler.dates import SHANGHAI
    from enrich.stored import enrich_stored
    from enrich.tokens import TokenizerKit

    display.stage("enrich")
    clusters = store.collection("clusters")
    before = {c["_id"] for c in clusters.find({"days": outcome.day.isoformat()}, projection={"_id": 1})}
    result = enrich_stored(
        store,
        {"enriched_at": None},
        kit=TokenizerKit.build(),
        settings=enrich_settings(settings, None),
        models=load_models(),
        now=datetime.now(SHANGHAI),
    )
    after = {c["_id"] for c in clusters.find({"days": outcome.day.isoformat()}, projection={"_id": 1})}
    outcome.enriched = sum(1 for _, f in result.updates if "enriched_at" in f) if result else 0
    outcome.clusters_new, outcome.clusters_total = len(after - before), len(after)
    display.finish("enrich", f"{outcome.enriched} articles")


def report_stage(
    store: Store,
    settings: Settings,
    outcome: DailyOutcome,
    display: Display,
    *,
    out: Path,
    styles: Sequence[str],
    fmt: str,
    llm: bool,
    config: LLMConfig,
) -> None:
    """One commentary for the day (cached when an LLM writes it), then every style from it."""
    from enrich.commentary import Commentator
    from enrich.llm import load_prices
    from reports.board import load_board
    from reports.build import build_document, generated_time, render, write_commentary
    from reports.model import load_day

    display.stage("reports", total=len(styles))
    loaded = load_day(store, outcome.day)
    if not loaded.stories:
        raise RunFailed(f"no articles published on {outcome.day.isoformat()} (Asia/Shanghai); no report written")
    deep = settings.getint("LLM_DEEP_STORIES")
    if llm and config.configured:
        with commentator_for(store, config, outcome.day) as commentator:
            notes = write_commentary(loaded, commentator, deep=deep)
        assert commentator.ledger is not None
        outcome.llm = commentator.ledger.to_doc(load_prices())
    else:
        outcome.llm_note = "off (--no-llm)" if not llm else "not configured: extractive text only"
        notes = write_commentary(loaded, Commentator(None), deep=deep)
    board = load_board(store, outcome.day) if "tracker" in styles else None
    out.mkdir(parents=True, exist_ok=True)
    for style in styles:
        document = build_document(
            style,  # type: ignore[arg-type]
            loaded,
            notes,
            board if style == "tracker" else None,
            generated_time(loaded, None),
            deep=deep,
        )
        path = out / f"{outcome.day.isoformat()}-{style}.{fmt}"
        path.write_text(render(document, fmt), encoding="utf-8")  # type: ignore[arg-type]
        outcome.reports.append(path)
        display.advance("reports", str(path))
    display.finish("reports", f"{len(outcome.reports)} written to {out}")


def summary_lines(outcome: DailyOutcome, settings: Settings) -> Iterator[str]:
    """The end-of-run summary: per source, health flags, clusters, LLM, reports, exit status."""
    yield f"aidaily daily {outcome.day.isoformat()} (crawl run {outcome.run_id})"
    reasons = loss_reasons(outcome.run)
    extra = settings.getdict("SOURCE_NAMES")
    for source, figures in merged_sources(outcome.run).items():
        why = ", ".join(f"{r} {n}" for r, n in sorted(reasons.get(source, {}).items()))
        yield (
            f"  {source_name(source, extra)} ({source}): found {figures['found']}, new {figures['inserted']}, "
            f"updated {figures['updated']}, unchanged {figures['unchanged']}, "
            f"dropped {figures['dropped'] + figures['skipped']}" + (f" ({why})" if why else "")
        )
    for source in sorted(set(reasons) - set(merged_sources(outcome.run))):
        why = ", ".join(f"{r} {n}" for r, n in sorted(reasons[source].items()))
        yield f"  {source}: nothing stored ({why})"
    if outcome.crawl_status:
        yield f"crawl: FAILED (exit status {outcome.crawl_status}); log: {outcome.crawl_log}"
    yield "health: " + ("ok" if not outcome.flags else f"{len(outcome.flags)} flag(s)")
    for flag in outcome.flags:
        yield f"  ! {flag.message}"
    clusters = f"{outcome.clusters_new} new / {outcome.clusters_total}"
    yield f"enriched {outcome.enriched} articles; clusters of {outcome.day.isoformat()}: {clusters}"
    yield "llm: " + (llm_line(outcome.llm) if outcome.llm is not None else outcome.llm_note or "not run")
    yield "reports:" + ("" if outcome.reports else " none")
    for path in outcome.reports:
        yield f"  {path}"
    if outcome.error:
        yield f"error: {outcome.error}"
    yield f"exit status {outcome.exit_code}"


def llm_line(ledger: dict[str, Any]) -> str:
    cost = ledger.get("estimated_cost_usd")
    return (
        f"{ledger['model']}: {ledger['calls']} calls, {ledger['cache_hits']} cache hits, {ledger['failures']} failed; "
        f"tokens {ledger['prompt_tokens']} prompt + {ledger['completion_tokens']} completion; "
        f"cost {'$' + format(cost, '.4f') if cost is not None else 'unknown'}"
    )
