"""``aidaily search``: Chinese keyword search over the archive's jieba tokens."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from aidaily.cli.context import BadInput, Context
from aidaily.cli.export import DATE
from enrich.categories import CATEGORIES


class OneLineCommand(click.Command):
    """A command whose bad options print one error line instead of the usage text and a hint."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise BadInput(exc.format_message()) from exc


def check_range(since: date | None, until: date | None) -> None:
    if since and until and since > until:
        raise BadInput(f"--since {since} is after --until {until}")


def check_sources(ctx: Context, store: Any, sources: tuple[str, ...]) -> None:
    """Fail on a source id that is neither built in, nor a configured feed, nor on any stored article."""
    if not sources:
        return
    from crawler.sources import BUILTIN_SOURCES
    from crawler.userfeeds import SourcesFileError, load_feeds, sources_file_path
    from reports.search import unknown_sources

    path = sources_file_path(ctx.settings.get("AIDAILY_SOURCES_FILE", ""), ctx.data_dir)
    try:
        feeds = [f.id for f in load_feeds(Path(path))]
    except SourcesFileError as exc:
        raise click.ClickException(str(exc)) from exc
    known = [*BUILTIN_SOURCES, *feeds]
    unknown = unknown_sources(store, sources, known)
    if unknown:
        raise BadInput(f"unknown source {', '.join(map(repr, unknown))} (known: {', '.join(known)})")


@click.command("search", cls=OneLineCommand)
@click.argument("words", nargs=-1)
@click.option("--since", type=DATE, help="First day (Asia/Shanghai), YYYY-MM-DD.")
@click.option("--until", type=DATE, help="Last day, inclusive.")
@click.option("--source", "sources", multiple=True, help="Only this source id (repeatable).")
@click.option("--category", type=click.Choice(CATEGORIES), help="Only this category.")
@click.option("--cluster", help="Only articles of this cluster id.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Stories to show.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.pass_obj
def search_command(
    ctx: Context,
    words: tuple[str, ...],
    since: date | None,
    until: date | None,
    sources: tuple[str, ...],
    category: str | None,
    cluster: str | None,
    limit: int,
    fmt: str,
) -> None:
    """Find stories whose words include every word of the query; a "quoted phrase" needs its words in a row.

    Every matching article in the archive is ranked (TF-IDF relevance, then recency); copies of one
    story on other sites are folded under it ("+2 sources: 36氪, IT之家"), and so are the other
    matching reports of its event ("(also reported by 机器之心)"); --cluster lists an event's articles.
    """
    check_range(since, until)
    from reports.query import QueryError, check_query_text, parse_query

    text = " ".join(words)
    try:
        check_query_text(text)  # before the tokenizer, numpy and pymongo load: an empty query answers at once
        from enrich.tokens import TokenizerKit  # loads jieba's dictionary: only once the options are valid

        kit = TokenizerKit.build()
        terms, phrases = parse_query(text, kit.tokenize)
    except QueryError as exc:
        raise BadInput(str(exc)) from exc
    from reports.search import SearchQuery, known_cluster, search, story_line, story_record

    query = SearchQuery(terms, phrases, since, until, sources, category, cluster, limit)
    with ctx.open_store() as store:
        check_sources(ctx, store, sources)
        if cluster is not None and not known_cluster(store, cluster):
            raise BadInput(f"unknown cluster {cluster!r} (`aidaily stats` lists the largest clusters' ids)")
        result = search(store, query, kit=kit)
    records = [story_record(s) for s in result.stories]
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        _write_csv(records)
    else:
        for story in result.stories:
            click.echo(story_line(story))
    # The count is a note for a person at a terminal; scripts, pipes and cron get the results alone.
    if sys.stderr.isatty():
        ranked = f"{len(result.stories)} stories ({result.matches} matching articles, all ranked)"
        click.echo(f"{ranked}; words: {' '.join(terms)}", err=True)


def _write_csv(records: list[dict[str, Any]]) -> None:
    columns = ["id", "score", "published_at", "source", "source_name", "title", "url", "category", "cluster_id"]
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([*columns, "duplicate_ids", "duplicate_sources", "report_ids", "report_sources"])
    for record in records:
        dups, reports = record["duplicates"], record["reports"]
        writer.writerow(
            [
                *("" if record[c] is None else record[c] for c in columns),
                "|".join(d["id"] for d in dups),
                "|".join(str(d["source_name"] or d["source"]) for d in dups),
                "|".join(d["id"] for d in reports),
                "|".join(str(d["source_name"] or d["source"]) for d in reports),
            ]
        )
