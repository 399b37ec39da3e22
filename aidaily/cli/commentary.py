"""``aidaily commentary``: LLM summaries and analysis of a day's stories, into the answer cache."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING

import click

from aidaily.cli.context import Context
from aidaily.cli.export import DATE

if TYPE_CHECKING:
    from crawler.store import Store
    from enrich.commentary import Commentator, DayNotes
    from enrich.llm import LLMConfig
    from reports.model import Day


def llm_options(func: click.decorators.FC) -> click.decorators.FC:
    """``--base-url`` and ``--model``: override OPENAI_BASE_URL and LLM_MODEL for one run."""
    func = click.option("--model", default=None, help="Model name; default: LLM_MODEL.")(func)
    return click.option("--base-url", default=None, help="OpenAI-compatible endpoint; default: OPENAI_BASE_URL.")(func)


def llm_config(ctx: Context, *, base_url: str | None, model: str | None) -> LLMConfig:
    from enrich.llm import LLMConfig

    settings = ctx.settings
    config = LLMConfig(
        base_url=base_url if base_url is not None else settings.get("OPENAI_BASE_URL"),
        api_key=settings.get("OPENAI_API_KEY"),
        model=model if model is not None else settings.get("LLM_MODEL"),
        timeout=settings.getfloat("LLM_TIMEOUT_SECONDS"),
        max_retries=settings.getint("LLM_MAX_RETRIES"),
        concurrency=settings.getint("LLM_CONCURRENCY"),
    )
    if config.configured and not config.model:
        raise click.ClickException("an LLM endpoint is configured but LLM_MODEL (or --model) is not set")
    return config


def _now() -> datetime:
    from crawler.dates import SHANGHAI

    return datetime.now(SHANGHAI)


@contextmanager
def commentator_for(store: Store, config: LLMConfig, day: date) -> Iterator[Commentator]:
    """A commentator for ``config`` (extractive when no endpoint is set); prints and stores the run's ledger."""
    from enrich.commentary import Commentator
    from enrich.llm import AnswerCache, Ledger, build_client, load_prices, record_run

    if not config.configured:
        yield Commentator(None)
        return
    ledger = Ledger(model=config.model)
    started = _now()
    commentator = Commentator(
        build_client(config),
        AnswerCache(store.collection("llm_cache")),
        ledger,
        concurrency=config.concurrency,
        now=_now,
    )
    try:
        yield commentator
    finally:
        prices = load_prices()
        record_run(
            store.collection("llm_runs"),
            ledger,
            prices,
            run_id=uuid.uuid4().hex,
            day=day.isoformat(),
            started_at=started,
            finished_at=_now(),
        )
        click.echo(ledger.summary(prices), err=True)


def day_commentary(ctx: Context, store: Store, day: Day, config: LLMConfig) -> DayNotes:
    from reports.build import write_commentary

    with commentator_for(store, config, day.date) as commentator:
        return write_commentary(day, commentator, deep=ctx.settings.getint("LLM_DEEP_STORIES"))


@click.command("commentary")
@click.option("--date", "day", type=DATE, required=True, help="The day (Asia/Shanghai), YYYY-MM-DD.")
@llm_options
@click.pass_obj
def commentary_command(ctx: Context, day: date, base_url: str | None, model: str | None) -> None:
    """Write (or reuse from the cache) the LLM commentary of a day's stories."""
    config = llm_config(ctx, base_url=base_url, model=model)
    if not config.configured:
        raise click.ClickException(
            "no LLM endpoint configured: set OPENAI_BASE_URL and/or OPENAI_API_KEY and LLM_MODEL (docs/LLM.md)"
        )
    from reports.model import load_day

    with ctx.open_store() as store:
        loaded = load_day(store, day)
        if not loaded.stories:
            raise click.ClickException(f"no articles published on {day.isoformat()} (Asia/Shanghai)")
        notes = day_commentary(ctx, store, loaded, config)
    share = notes.grounding.share
    grounded = f"{share:.0%} of {notes.grounding.total} sentences grounded" if share is not None else "no sentences"
    click.echo(
        f"commentary for {len(loaded.stories)} stories on {day.isoformat()}: {grounded}, "
        f"{notes.fallbacks} fallbacks to extractive text"
    )
