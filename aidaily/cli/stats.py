"""``aidaily stats``: articles per day, source and category, keyword trends, the largest clusters."""

from __future__ import annotations

import json
from datetime import date

import click

from aidaily.cli.context import Context
from aidaily.cli.export import DATE
from aidaily.cli.search import BadInput, OneLineCommand, check_range


@click.command("stats", cls=OneLineCommand)
@click.option("--since", type=DATE, help="First day (Asia/Shanghai), YYYY-MM-DD; default: the oldest article's.")
@click.option("--until", type=DATE, help="Last day, inclusive; default: the newest article's.")
@click.option("--compare-since", type=DATE, help="Keyword trends: first day of the earlier period.")
@click.option("--compare-until", type=DATE, help="Keyword trends: last day of the earlier period.")
@click.option("--keywords", type=click.IntRange(1, 500), default=20, show_default=True, help="Keywords to list.")
@click.option("--clusters", type=click.IntRange(1, 500), default=10, show_default=True, help="Clusters to list.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def stats_command(
    ctx: Context,
    since: date | None,
    until: date | None,
    compare_since: date | None,
    compare_until: date | None,
    keywords: int,
    clusters: int,
    fmt: str,
) -> None:
    """Figures of the archive over a date range.

    Keyword trends compare the first and second half of the range (a one-day range: the day
    before it with that day), or, with --compare-since/--compare-until, that earlier period with
    the whole range. The table's "top keywords" line names the two periods compared.
    """
    check_range(since, until)
    if (compare_since is None) != (compare_until is None):
        raise BadInput("give both --compare-since and --compare-until, or neither")
    check_range(compare_since, compare_until)
    from reports.stats import Period, archive_period, archive_stats, range_problem, stats_lines, stats_record

    with ctx.open_store() as store:
        period = archive_period(store, since, until)
        if period is None:
            raise click.ClickException("the archive has no dated articles yet")
        problem = range_problem(period, since, until)
        if problem is not None:
            raise BadInput(problem)
        compare = (Period(compare_since, compare_until), period) if compare_since and compare_until else None
        stats = archive_stats(store, period, compare=compare, keywords=keywords, clusters=clusters)
    if fmt == "json":
        click.echo(json.dumps(stats_record(stats), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(stats_lines(stats)))
