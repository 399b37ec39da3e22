"""``aidaily enrich``: tokens, duplicates, event clusters, keywords, relevance and category, over MongoDB or a file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import click
from scrapy.settings import Settings

from crawler.cli.context import Context
from crawler.cli.export import DATE
from crawler.dates import SHANGHAI, parse_published
from crawler.export import date_range_query, to_record
from enrich.cluster import ClusterRules
from enrich.runner import EnrichResult, EnrichSettings, Models, enrich
from enrich.stored import enrich_stored
from enrich.tokens import TokenizerKit


def register(group: click.Group) -> None:
    group.add_command(enrich_command)


def enrich_settings(settings: Settings, processes: int | None) -> EnrichSettings:
    """The runner's settings from ``ENRICH_*`` Scrapy settings."""
    return EnrichSettings(
        window_days=settings.getint("ENRICH_WINDOW_DAYS"),
        title_weight=settings.getfloat("ENRICH_TITLE_WEIGHT"),
        near_sim=settings.getfloat("ENRICH_NEAR_SIM"),
        near_containment=settings.getfloat("ENRICH_NEAR_CONTAINMENT"),
        near_max_days=settings.getfloat("ENRICH_NEAR_MAX_DAYS"),
        cluster=ClusterRules(
            sim=settings.getfloat("ENRICH_CLUSTER_SIM"), day_penalty=settings.getfloat("ENRICH_CLUSTER_DAY_PENALTY")
        ),
        processes=processes or settings.getint("ENRICH_PROCESSES"),
        max_body_chars=settings.getint("ENRICH_MAX_BODY_CHARS"),
    )


def load_models() -> Models:
    """The shipped relevance and category models, loaded once."""
    from enrich import categorize, relevance

    try:
        relevance_model, category_model = relevance.load_model(), categorize.load_model()
    except FileNotFoundError as exc:
        raise click.ClickException(f"a model artifact is missing ({exc}); run with --no-models to skip") from exc
    return Models(
        relevance=partial(relevance.score_relevance, model=relevance_model),
        category=partial(categorize.categorize, model=category_model),
        versions={"relevance": relevance_model.version, "category": category_model.version},
    )


@click.command("enrich")
@click.option("--date", "day", type=DATE, help="Re-enrich this day (Asia/Shanghai), YYYY-MM-DD.")
@click.option("--since", type=DATE, help="Re-enrich from this day on.")
@click.option("--until", type=DATE, help="Re-enrich up to this day, inclusive.")
@click.option("--input", "input_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Enrich this JSON Lines file instead of the database.")  # fmt: skip
@click.option(
    "--output", "output_path", type=click.Path(dir_okay=False, path_type=Path), help="With --input: write here."
)
@click.option("--clusters", "clusters_path", type=click.Path(dir_okay=False, path_type=Path),
              help="With --input: also write the cluster documents here (JSON Lines).")  # fmt: skip
@click.option("--processes", type=int, default=None, help="Tokenizer processes (default: ENRICH_PROCESSES).")
@click.option("--models/--no-models", default=True, help="Score AI relevance and category (default: on).")
@click.pass_obj
def enrich_command(
    ctx: Context,
    day: date | None,
    since: date | None,
    until: date | None,
    input_path: Path | None,
    output_path: Path | None,
    clusters_path: Path | None,
    processes: int | None,
    models: bool,
) -> None:
    """Enrich articles: by default those not enriched yet; --date/--since/--until redo days."""
    if day and (since or until):
        raise click.UsageError("use --date or --since/--until, not both")
    if (input_path is None) != (output_path is None):
        raise click.UsageError("--input and --output go together")
    settings = enrich_settings(ctx.settings, processes)
    loaded = load_models() if models else Models()
    kit = TokenizerKit.build()
    now = datetime.now(SHANGHAI)
    if input_path is not None and output_path is not None:
        _enrich_file(input_path, output_path, clusters_path, kit=kit, settings=settings, models=loaded, now=now)
        return
    if clusters_path is not None:
        raise click.UsageError("--clusters goes with --input")
    with ctx.open_store() as store:
        store.ensure_indexes()
        query = date_range_query(day or since, day or until) if (day or since or until) else {"enriched_at": None}
        result = enrich_stored(store, query, kit=kit, settings=settings, models=loaded, now=now)
    if result is None:
        click.echo("nothing to enrich", err=True)
        return
    _report(result)


def _enrich_file(
    input_path: Path,
    output_path: Path,
    clusters_path: Path | None,
    *,
    kit: TokenizerKit,
    settings: EnrichSettings,
    models: Models,
    now: datetime,
) -> None:
    docs = [_from_record(json.loads(line), now) for line in input_path.read_text(encoding="utf-8").splitlines() if line]
    result = enrich(docs, [], kit=kit, settings=settings, now=now, models=models)
    fields = dict(result.updates)
    with output_path.open("w", encoding="utf-8") as out:
        for doc in docs:
            out.write(json.dumps(to_record({**doc, **fields[doc["_id"]]}), ensure_ascii=False) + "\n")
    if clusters_path is not None:
        with clusters_path.open("w", encoding="utf-8") as out:
            for cluster in result.clusters:
                out.write(json.dumps(to_record(cluster), ensure_ascii=False) + "\n")
    _report(result)


def _from_record(record: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A JSON Lines record as an article document: ``id`` becomes ``_id``, dates become datetimes."""
    doc = {k: v for k, v in record.items() if k != "id"}
    doc["_id"] = str(record.get("id") or record.get("_id") or "")
    if not doc["_id"]:
        raise click.ClickException(f"a record has no id: {record.get('url')!r}")
    for key in ("published_at", "first_seen_at", "fetched_at"):
        if doc.get(key) is not None:
            doc[key] = parse_published(doc[key], now=now)
    return doc


def _report(result: EnrichResult) -> None:
    fields = [f for _, f in result.updates if "cluster_id" in f]
    duplicates = sum(1 for f in fields if f.get("duplicate_of"))
    click.echo(
        f"enriched {len(fields)} articles: {duplicates} duplicates, "
        f"{len({f['cluster_id'] for f in fields})} clusters ({len(result.clusters)} cluster documents written)",
        err=True,
    )
