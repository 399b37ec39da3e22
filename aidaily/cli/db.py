"""``aidaily db serve`` and ``aidaily replay``: the database and the spool."""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from typing import Any

import click

from aidaily.cli.context import Context


@click.group("db")
def db_group() -> None:
    """The embedded database."""


@db_group.command("serve")
@click.option("--port", type=int, default=27017, show_default=True, help="Port on 127.0.0.1; 0 picks a free one.")
@click.pass_obj
def serve_command(ctx: Context, port: int) -> None:
    """Run the embedded database in the foreground so mongosh, Compass or pymongo can connect."""
    from crawler.embedded import EmbeddedDatabaseError, EmbeddedMongo

    server = EmbeddedMongo(ctx.data_dir / "db", port=port)
    try:
        uri = server.start()
    except OSError as exc:  # the port in use, or an EmbeddedDatabaseError (a folder it cannot open)
        raise click.ClickException(f"cannot serve on port {port}: {exc}") from exc
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(
        f"serving {ctx.data_dir / 'db'} at {uri} (database {ctx.settings.get('MONGO_DATABASE')}); Ctrl-C stops",
        err=True,
    )
    click.echo(uri)
    try:
        stop.wait()
    finally:
        try:
            server.stop()
        except EmbeddedDatabaseError as exc:
            raise click.ClickException(str(exc)) from exc


@click.command("replay")
@click.pass_obj
def replay_command(ctx: Context) -> None:
    """Write the articles spooled while MongoDB was unreachable."""
    from crawler.dates import SHANGHAI
    from crawler.spool import Spool
    from crawler.tally import ReplayTally

    spool = Spool(ctx.data_dir / "spool")
    pending = len(spool)
    if not pending:
        click.echo("spool is empty")
        return
    tally = ReplayTally()
    with ctx.open_store() as store:
        store.ensure_indexes()

        def write(docs: list[dict[str, Any]]) -> None:
            tally.add(store.upsert_articles(docs, now=datetime.now(SHANGHAI)).outcomes, len(docs))

        try:
            replayed = spool.replay(write)
        except Exception as exc:  # the unwritten rest stays spooled; say so in one line
            raise click.ClickException(f"replay stopped, {len(spool)} articles still spooled: {exc}") from exc
    tally.quarantined = replayed.quarantined
    click.echo(tally.text())
    if replayed.quarantined:
        raise click.ClickException(f"{replayed.quarantined} unreadable spool lines moved to {spool.quarantine_path}")
