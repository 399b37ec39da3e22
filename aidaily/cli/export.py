"""``aidaily export``: stored articles as JSON Lines, CSV or Parquet."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import click

from aidaily.cli.context import Context


class DateParam(click.ParamType):
    """A calendar day written YYYY-MM-DD."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-01-20", param, ctx)


DATE = DateParam()


@click.command("export")
@click.option("--source", "sources", multiple=True, help="Only this source id (repeatable).")
@click.option("--since", type=DATE, help="First day (Asia/Shanghai), YYYY-MM-DD.")
@click.option("--until", type=DATE, help="Last day, inclusive.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    default="jsonl",
    show_default=True,
    help="JSON Lines (every stored field), or CSV/Parquet with the flat columns of docs/SCHEMA.md.",
)
@click.pass_obj
def export_command(
    ctx: Context, sources: tuple[str, ...], since: date | None, until: date | None, out: Path | None, fmt: str
) -> None:
    """Write stored articles as JSON Lines, CSV or Parquet, oldest first."""
    from aidaily.cli.output import writable
    from aidaily.cli.search import check_range, check_sources
    from reports.flat import export_docs, write_parquet

    check_range(since, until)
    with ctx.open_store() as store:
        check_sources(ctx, store, sources)
        docs = export_docs(store, since, until, sources)
        if fmt == "parquet":
            if out is None:
                count = write_parquet(docs, sys.stdout.buffer)
            else:
                with writable(out), out.open("wb") as binary:
                    count = write_parquet(docs, binary)
        elif out is None:
            count = _write_text(docs, fmt, sys.stdout)
        else:
            with writable(out), out.open("w", encoding="utf-8", newline="") as stream:
                count = _write_text(docs, fmt, stream)
    if sys.stderr.isatty():  # a note for a person at a terminal; a successful export is silent otherwise
        click.echo(f"exported {count} articles", err=True)


def _write_text(docs: Iterable[dict[str, Any]], fmt: str, stream: IO[str]) -> int:
    from reports.flat import write_csv

    return write_csv(docs, stream) if fmt == "csv" else _write_jsonl(docs, stream)


def _write_jsonl(docs: Iterable[dict[str, Any]], stream: IO[str]) -> int:
    from crawler.export import to_record

    count = 0
    for doc in docs:
        stream.write(json.dumps(to_record(doc), ensure_ascii=False) + "\n")
        count += 1
    return count
