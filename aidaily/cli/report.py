"""``aidaily report``: a day's report in one of three styles, as Markdown or HTML, from the database alone."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from aidaily.cli.commentary import day_commentary, llm_config, llm_options
from aidaily.cli.context import Context
from aidaily.cli.export import DATE
from reports.styles import FORMATS, STYLES


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    from crawler.dates import SHANGHAI

    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO date-time like 2026-01-20T18:00:00+08:00") from exc
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment.astimezone(SHANGHAI)


@click.command("report")
@click.option("--date", "day", type=DATE, required=True, help="The day (Asia/Shanghai), YYYY-MM-DD.")
@click.option("--style", type=click.Choice(STYLES), default="tracker", show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.option(
    "--generated-at", help="Footer time (ISO 8601); default: the latest fetch/enrichment of the day's articles."
)
@click.option(
    "--llm/--no-llm",
    "use_llm",
    default=True,
    show_default=True,
    help="Use the configured LLM endpoint (cached answers cost nothing); --no-llm: extractive only.",
)
@llm_options
@click.pass_obj
def report_command(
    ctx: Context,
    day: date,
    style: str,
    fmt: str,
    out: Path | None,
    generated_at: str | None,
    use_llm: bool,
    base_url: str | None,
    model: str | None,
) -> None:
    """Build the report of one day. With an LLM endpoint configured, commentary is written first (cached)."""
    from enrich.commentary import Commentator
    from reports.board import load_board
    from reports.build import EmptyDay, build_document, generated_time, render, write_commentary
    from reports.model import load_day

    given = _moment(generated_at)
    config = llm_config(ctx, base_url=base_url, model=model)
    deep = ctx.settings.getint("LLM_DEEP_STORIES")
    with ctx.open_store() as store:
        loaded = load_day(store, day)
        if not loaded.stories:
            raise click.ClickException(f"no articles published on {day.isoformat()} (Asia/Shanghai); nothing to report")
        if use_llm and config.configured:
            notes = day_commentary(ctx, store, loaded, config)
        else:
            notes = write_commentary(loaded, Commentator(None), deep=deep)
        board = load_board(store, day) if style == "tracker" else None
    try:
        document = build_document(style, loaded, notes, board, generated_time(loaded, given), deep=deep)  # type: ignore[arg-type]
    except EmptyDay as exc:
        raise click.ClickException(str(exc)) from exc
    text = render(document, fmt)  # type: ignore[arg-type]
    if out is None:
        click.echo(text, nl=False)
        return
    from aidaily.cli.output import writable

    with writable(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {style} report of {day.isoformat()} to {out}", err=True)
