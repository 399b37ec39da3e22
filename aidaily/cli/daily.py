"""``aidaily daily``: the unattended daily job — crawl every source, enrich what is new, write the reports.

The crawl runs as a child ``aidaily crawl`` process: Twisted's reactor cannot be started twice in
one process, and a child keeps the crawl's logging, signal handling and memory out of the rest of
the job. ``daily`` starts the embedded database itself when no URI is set (the child and the later
stages then share it over ``--mongo-uri``), so the database outlives the crawl.

Exit status: 0 every source fine; 1 a spider failed, a source was flagged unhealthy or articles wait
in the spool (the reports are still written); 2 the run itself failed (the crawl process failed, no
source answered a single request, the database is unreachable, no article was published on the day,
a report could not be written).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from aidaily.cli.commentary import commentator_for, llm_config, llm_options
from aidaily.cli.context import Context
from aidaily.cli.crawl import crawl_services, spider_names
from aidaily.cli.enrich import enrich_settings, event_judge, load_models
from aidaily.cli.export import DATE
from aidaily.cli.progress import make_display
from aidaily.cli.verdict import DailyOutcome, summary_lines
from crawler.sources import BUILTIN_SOURCES, source_name
from reports.styles import FORMATS, STYLES

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from aidaily.cli.progress import Display
    from crawler.store import Store
    from enrich.llm import LLMConfig

POLL_SECONDS = 0.5


def register(group: click.Group) -> None:
    group.add_command(daily_command)


class RunFailed(Exception):
    """A stage of the daily run failed; the run exits with status 2."""


class DatabaseUnreachable(Exception):
    """The database could not be opened or stopped answering; the run exits with status 2."""


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
        with crawl_services(settings, None, ctx.data_dir), open_database(settings) as store:
            crawl_stage(store, settings, outcome, mirror, display)
            enrich_stage(store, settings, outcome, display, llm=use_llm, config=config)
            report_stage(store, settings, outcome, display, out=out, styles=chosen, fmt=fmt, llm=use_llm, config=config)
    except (DatabaseUnreachable, PyMongoError) as exc:
        outcome.database = database_problem(exc)
    except (RunFailed, click.ClickException, OSError) as exc:
        message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
        outcome.error = message
    finally:
        display.close()
    count_spool(settings, outcome)
    for line in summary_lines(outcome, settings):
        click.echo(line)
    click.get_current_context().exit(outcome.exit_code)


@contextlib.contextmanager
def open_database(settings: Settings) -> Iterator[Store]:
    """The store, its indexes made; an unreachable database raises DatabaseUnreachable with the reason."""
    from crawler.dbproblem import database_problem as one_line

    try:
        store = Context.of(settings).open_store()
    except click.ClickException as exc:
        raise DatabaseUnreachable(one_line(exc.__cause__ or exc)) from exc
    with store:
        store.ensure_indexes()
        yield store


def database_problem(exc: BaseException) -> str:
    """The one line the summary shows for a database that could not be used."""
    from crawler.dbproblem import database_problem as one_line

    return str(exc) if isinstance(exc, DatabaseUnreachable) else one_line(exc)


def count_spool(settings: Settings, outcome: DailyOutcome) -> None:
    """How many crawled articles wait in the local spool (MongoDB was down while they were stored)."""
    from crawler.spool import Spool

    spool = Spool(Path(settings.get("AIDAILY_DATA_DIR")) / "spool")
    outcome.spool_pending, outcome.spool_path = len(spool), spool.path


def crawl_stage(store: Store, settings: Settings, outcome: DailyOutcome, mirror: Path | None, display: Display) -> None:
    """Every spider in a child ``aidaily crawl``, incremental; then judge the run's health."""
    from crawler.runlog import judge_run

    spiders = spider_names()
    log_dir = Path(settings.get("AIDAILY_DATA_DIR")) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    outcome.crawl_log = log_dir / f"daily-{outcome.run_id}.log"
    command = [
        sys.executable, "-c", "from aidaily.cli import main; main(prog_name='aidaily')",
        # -v: the child's INFO log (Scrapy's stats among it) goes to its stderr, which is the crawl log file
        "-v", "crawl", *(["--mirror", str(mirror)] if mirror else []),
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
    outcome.crawl_status, outcome.crawled = child.returncode, True
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
    outcome.judged = True


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


def enrich_stage(
    store: Store, settings: Settings, outcome: DailyOutcome, display: Display, *, llm: bool, config: LLMConfig
) -> None:
    """Enrich every article not enriched yet (new, or changed by the crawl), the LLM gate of the event join on when
    ``llm`` and an endpoint is configured; count the day's clusters."""
    from crawler.dates import SHANGHAI
    from enrich.eventjudge import LLMJudge
    from enrich.llm import load_prices
    from enrich.stored import enrich_stored
    from enrich.tokens import TokenizerKit

    display.stage("enrich")
    clusters = store.collection("clusters")
    before = {c["_id"] for c in clusters.find({"days": outcome.day.isoformat()}, projection={"_id": 1})}
    now = datetime.now(SHANGHAI)
    with event_judge(store, config, load_models(), enabled=llm, now=now) as models:
        result = enrich_stored(
            store,
            {"enriched_at": None},
            kit=TokenizerKit.build(),
            settings=enrich_settings(settings, None),
            models=models,
            now=now,
        )
    if isinstance(models.judge, LLMJudge):
        outcome.join_llm = models.judge.ledger.to_doc(load_prices())
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
