"""``aidaily doctor``: a live check of each source — list, newest article, parser — with the failing pages saved."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from aidaily.cli.context import Context


@click.command("doctor")
@click.argument("spiders", nargs=-1)
@click.option(
    "--mirror",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Check the saved pages in DIR instead of the live sites.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the failing pages; default: <AIDAILY_DATA_DIR>/doctor/<time>.",
)
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@click.pass_obj
def doctor_command(
    ctx: Context, spiders: tuple[str, ...], mirror: Path | None, out: Path | None, overrides: tuple[str, ...]
) -> None:
    """Check SPIDERS (default: all) live: list links, the newest article's title, body and date; save failing pages.

    Exit status: 0 every check OK, 1 a check failed (its pages are saved under --out).
    """
    from aidaily.cli.crawl import checked_arguments, crawl_services, spider_names

    known = spider_names()
    pairs = checked_arguments(spiders, known, overrides)  # before Scrapy loads: a typo answers at once
    from crawler.dates import SHANGHAI
    from crawler.diagnosis import diagnose, report_lines, save_page
    from crawler.doctor import run_doctor
    from crawler.sources import source_name

    settings = ctx.settings.copy()
    out = out or ctx.data_dir / "doctor" / datetime.now(SHANGHAI).strftime("%Y%m%d-%H%M%S")
    with crawl_services(settings, mirror, ctx.data_dir, database=False):
        for name, _, value in pairs:
            settings.set(name, value, priority="cmdline")
        pages = run_doctor(settings, list(spiders) or known, quiet=not ctx.verbose)
    chosen = list(spiders) or known
    reports = diagnose(pages, min_body_chars=settings.getint("VALIDATE_MIN_BODY_CHARS"), spiders=chosen)
    extra = settings.getdict("SOURCE_NAMES")
    for report in reports:
        if report.failed:
            report.saved = [save_page(out, page) for page in report.failing_pages]
        for line in report_lines(report, source_name(report.source, extra)):
            click.echo(line)
    failed = [r for r in reports if r.failed]
    checked = [r for r in reports if r.checks]
    summary = f"doctor: {len(checked) - len(failed)} OK, {len(failed)} FAIL"
    if any(r.saved for r in failed):
        summary += (
            f"; failing pages saved under {out} in the mirror layout: attach them to a bug report,"
            " or add them to tests/fixtures/pages with an .expected.json"
        )
    click.echo(summary)
    click.get_current_context().exit(1 if failed else 0)
