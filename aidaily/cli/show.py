"""``aidaily show``: one article with its cluster, duplicates and enrichment."""

from __future__ import annotations

import json

import click

from aidaily.cli.context import Context
from aidaily.cli.search import BadInput, OneLineCommand


@click.command("show", cls=OneLineCommand)
@click.argument("ref", metavar="ID|URL")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def show_command(ctx: Context, ref: str, fmt: str) -> None:
    """Show one article (by id or URL) with its cluster members, duplicates and enrichment fields."""
    if not ref.strip():
        raise BadInput("give an article id or URL")
    from reports.detail import article_detail, detail_lines, detail_record, find_article

    with ctx.open_store() as store:
        doc = find_article(store, ref)
        if doc is None:
            raise click.ClickException(f"no article with id or URL {ref!r}")
        detail = article_detail(store, doc)
    if fmt == "json":
        click.echo(json.dumps(detail_record(detail), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(detail_lines(detail)))
