"""``aidaily enrich``: tokens, duplicates, event clusters, keywords, relevance and category, over MongoDB or a file."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from aidaily.cli.commentary import llm_config, llm_options
from aidaily.cli.context import Context
from aidaily.cli.export import DATE

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from crawler.store import Store
    from enrich.llm import LLMConfig
    from enrich.runner import EnrichResult, EnrichSettings, Models
    from enrich.tokens import TokenizerKit


def enrich_settings(settings: Settings, processes: int | None) -> EnrichSettings:
    """The runner's settings from ``ENRICH_*`` Scrapy settings."""
    from enrich.cluster import ClusterRules
    from enrich.runner import EnrichSettings

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
    from enrich.runner import Models

    try:
        relevance_model, category_model = relevance.load_model(), categorize.load_model()
    except FileNotFoundError as exc:
        raise click.ClickException(f"a model artifact is missing ({exc}); run with --no-models to skip") from exc
    return Models(
        relevance=partial(relevance.score_relevance, model=relevance_model),
        category=partial(categorize.categorize, model=category_model),
        versions={"relevance": relevance_model.version, "category": category_model.version},
    )


@contextmanager
def event_judge(store: Store, config: LLMConfig, models: Models, *, enabled: bool, now: datetime) -> Iterator[Models]:
    """``models`` with the LLM gate of the event join when ``enabled`` and an endpoint is configured (one cached,
    batched call per day); its ledger goes to ``llm_runs`` (task ``event_join``) and is printed when done."""
    if not (enabled and config.configured):
        yield models
        return
    from enrich.eventjudge import TASK, LLMJudge
    from enrich.llm import AnswerCache, Ledger, build_client, load_prices, record_run

    ledger = Ledger(model=config.model)
    cache = AnswerCache(store.collection("llm_cache"))
    try:
        yield replace(models, judge=LLMJudge(build_client(config), cache, ledger, model=config.model, now=now))
    finally:
        prices = load_prices()
        finished = datetime.now(now.tzinfo)
        record_run(store.collection("llm_runs"), ledger, prices, run_id=uuid.uuid4().hex, day=now.date().isoformat(),
                   started_at=now, finished_at=finished, task=TASK)  # fmt: skip
        click.echo(f"event join: {ledger.summary(prices)}", err=True)


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
@click.option("--processes", type=int, default=None,
              help="2: events joined in a second process from 5,000 articles (default: ENRICH_PROCESSES).")  # fmt: skip
@click.option("--models/--no-models", default=True, help="Score AI relevance and category (default: on).")
@click.option("--llm/--no-llm", "use_llm", default=True, show_default=True,
              help="Ask the configured LLM which candidate pairs are one event (else the offline rule).")  # fmt: skip
@llm_options
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
    use_llm: bool,
    base_url: str | None,
    model: str | None,
) -> None:
    """Enrich articles: by default those not enriched yet; --date/--since/--until redo days."""
    if day and (since or until):
        raise click.UsageError("use --date or --since/--until, not both")
    if (input_path is None) != (output_path is None):
        raise click.UsageError("--input and --output go together")
    from crawler.dates import SHANGHAI
    from crawler.export import date_range_query
    from enrich.runner import Models
    from enrich.stored import enrich_stored
    from enrich.tokens import TokenizerKit

    if clusters_path is not None and input_path is None:
        raise click.UsageError("--clusters goes with --input")
    config = llm_config(ctx, base_url=base_url, model=model)
    settings = enrich_settings(ctx.settings, processes)
    loaded = load_models() if models else Models()
    kit = TokenizerKit.build()
    now = datetime.now(SHANGHAI)
    with_llm = use_llm and config.configured
    if input_path is not None and output_path is not None and not with_llm:
        _enrich_file(input_path, output_path, clusters_path, kit=kit, settings=settings, models=loaded, now=now)
        return
    # With an LLM, a file run too keeps the gate's answers in the database's cache (a rebuild makes no calls).
    with ctx.open_store() as store, event_judge(store, config, loaded, enabled=with_llm, now=now) as gated:
        store.ensure_indexes()
        if input_path is not None and output_path is not None:
            _enrich_file(input_path, output_path, clusters_path, kit=kit, settings=settings, models=gated, now=now)
            return
        query = date_range_query(day or since, day or until) if (day or since or until) else {"enriched_at": None}
        result = enrich_stored(store, query, kit=kit, settings=settings, models=gated, now=now)
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
    from aidaily.cli.output import writable
    from crawler.export import to_record
    from enrich.records import RecordError, read_records
    from enrich.runner import enrich

    try:
        docs = read_records(input_path.read_text(encoding="utf-8").splitlines(), now=now, name=str(input_path))
    except RecordError as exc:
        raise click.ClickException(str(exc)) from exc
    result = enrich(docs, [], kit=kit, settings=settings, now=now, models=models)
    fields = dict(result.updates)
    with writable(output_path), output_path.open("w", encoding="utf-8") as out:
        for doc in docs:
            out.write(json.dumps(to_record({**doc, **fields[doc["_id"]]}), ensure_ascii=False) + "\n")
    if clusters_path is not None:
        with writable(clusters_path), clusters_path.open("w", encoding="utf-8") as out:
            for cluster in result.clusters:
                out.write(json.dumps(to_record(cluster), ensure_ascii=False) + "\n")
    _report(result)


def _report(result: EnrichResult) -> None:
    fields = [f for _, f in result.updates if "cluster_id" in f]
    duplicates = sum(1 for f in fields if f.get("duplicate_of"))
    click.echo(
        f"enriched {len(fields)} articles: {duplicates} duplicates, "
        f"{len({f['cluster_id'] for f in fields})} clusters ({len(result.clusters)} cluster documents written)",
        err=True,
    )
