"""The ``aidaily`` command: the composition root that wires settings, store and stages together.

Each subcommand lives in its own module here and is imported only when it runs (or when its
own ``--help`` is asked for), and heavy libraries are imported inside the functions that use
them, so ``aidaily --help`` and a mistyped option answer at once.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import click

from aidaily.cli.context import Context
from aidaily.cli.logs import quiet_jieba

# name -> the module and attribute of its command, imported only when the command runs.
COMMANDS: dict[str, str] = {
    "commentary": "aidaily.cli.commentary:commentary_command",
    "crawl": "aidaily.cli.crawl:crawl_command",
    "daily": "aidaily.cli.daily:daily_command",
    "db": "aidaily.cli.db:db_group",
    "doctor": "aidaily.cli.doctor:doctor_command",
    "enrich": "aidaily.cli.enrich:enrich_command",
    "export": "aidaily.cli.export:export_command",
    "list": "aidaily.cli.crawl:list_command",
    "reindex": "aidaily.cli.reindex:reindex_command",
    "replay": "aidaily.cli.db:replay_command",
    "report": "aidaily.cli.report:report_command",
    "search": "aidaily.cli.search:search_command",
    "show": "aidaily.cli.show:show_command",
    "stats": "aidaily.cli.stats:stats_command",
}


def _docstring(spec: str) -> str:
    """The docstring of a command's function, read from its module's source without importing it."""
    module, _, attribute = spec.partition(":")
    found = importlib.util.find_spec(module)
    if found is None or found.origin is None:
        return ""
    tree = ast.parse(Path(found.origin).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == attribute:
            return ast.get_docstring(node) or ""
    return ""


class LazyGroup(click.Group):
    """A group whose subcommands are imported on use; its help reads their docstrings from source."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module, _, attribute = spec.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.utils.make_default_short_help(_docstring(spec), limit))
            for name, spec in sorted(COMMANDS.items())
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--mongo-uri", envvar="MONGO_URI", default=None, help="MongoDB URI; default: the embedded database.")
@click.option("--database", envvar="MONGO_DATABASE", default=None, help="Database name (default: aidaily).")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="aidaily's data folder (embedded database, spool).",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Show logs on screen: -v INFO, -vv DEBUG (Scrapy's too). Logs always go to <data dir>/logs/.",
)
@click.pass_context
def main(ctx: click.Context, mongo_uri: str | None, database: str | None, data_dir: str | None, verbose: int) -> None:
    """aidaily: crawl the Chinese AI press into MongoDB, enrich it, and write daily reports."""
    if verbose < 2:
        # jieba prints its dictionary loading through its own stderr handler, whenever it is first used.
        quiet_jieba()
    ctx.obj = Context(mongo_uri=mongo_uri, database=database, data_dir_option=data_dir, verbose=verbose)
