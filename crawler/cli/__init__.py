"""The ``aidaily`` command: the composition root that wires settings, store and stages together.

Each subcommand lives in its own module here and adds itself through ``register(group)``.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

from crawler.cli.context import Context


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--mongo-uri", envvar="MONGO_URI", default=None, help="MongoDB URI; default: the embedded database.")
@click.option("--database", envvar="MONGO_DATABASE", default=None, help="Database name (default: aidaily).")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="aidaily's data folder (embedded database, spool).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.pass_context
def main(ctx: click.Context, mongo_uri: str | None, database: str | None, data_dir: str | None, verbose: bool) -> None:
    """aidaily: crawl the Chinese AI press into MongoDB, enrich it, and write daily reports."""
    ctx.obj = Context.create(mongo_uri=mongo_uri, database=database, data_dir=data_dir, verbose=verbose)


for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    if hasattr(_module, "register"):
        _module.register(main)
