"""``aidaily export``: stored articles as JSON Lines."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import click

from crawler.cli.context import Context
from crawler.export import date_range_query, to_record


def register(group: click.Group) -> None:
    group.add_command(export_command)


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
@click.pass_obj
def export_command(
    ctx: Context, sources: tuple[str, ...], since: date | None, until: date | None, out: Path | None
) -> None:
    """Write stored articles as JSON Lines, oldest first."""
    query: dict[str, Any] = date_range_query(since, until)
    if sources:
        query["source"] = {"$in": list(sources)}
    with ctx.open_store() as store:
        stream: IO[str] = out.open("w", encoding="utf-8") if out else sys.stdout
        try:
            count = 0
            for doc in store.find_articles(query, sort=[("published_at", 1), ("_id", 1)]):
                stream.write(json.dumps(to_record(doc), ensure_ascii=False) + "\n")
                count += 1
        finally:
            if out:
                stream.close()
    click.echo(f"exported {count} articles", err=True)
