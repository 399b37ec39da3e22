"""``aidaily reindex``: rebuild the search index from the stored articles."""

from __future__ import annotations

import time

import click

from aidaily.cli.context import Context


@click.command("reindex")
@click.pass_obj
def reindex_command(ctx: Context) -> None:
    """Rebuild the search index from every enriched article (enrich and search keep it current otherwise)."""
    from enrich.searchstore import rebuild_index
    from enrich.tokens import TokenizerKit

    clock = time.perf_counter()
    with ctx.open_store() as store:
        count = rebuild_index(store, TokenizerKit.build())
    click.echo(f"indexed {count} articles in {time.perf_counter() - clock:.1f}s", err=True)
