"""Enrichment over MongoDB: the edges around ``enrich.runner.enrich`` — read targets, context and clusters, write."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReplaceOne

from crawler.dates import SHANGHAI
from crawler.export import date_range_query
from crawler.store import Store
from enrich.runner import EnrichResult, EnrichSettings, Models, article_time, enrich
from enrich.searchstore import index_articles
from enrich.tokens import TokenizerKit

# Set last: what "not enriched yet" queries look for.
DONE = "enriched_at"
# What the window needs of a context article; bodies are kept for near-duplicate checks.
CONTEXT_FIELDS = (
    "url", "source", "title", "body", "summary", "published_at", "first_seen_at", "fetched_at",
    "tokens", "cluster_id", "duplicate_of", "duplicate_kind", "category", "is_ai",
)  # fmt: skip


def enrich_stored(
    store: Store,
    query: Mapping[str, Any],
    *,
    kit: TokenizerKit,
    settings: EnrichSettings,
    models: Models,
    now: datetime,
) -> EnrichResult | None:
    """Enrich the stored articles matching ``query`` and write the results; None when none match."""
    targets = list(store.find_articles(dict(query), sort=[("published_at", 1), ("_id", 1)]))
    if not targets:
        return None
    context = load_context(store, targets, settings.window_days)
    clusters = load_clusters(store, [*targets, *context])
    result = enrich(targets, context, kit=kit, settings=settings, now=now, clusters=clusters, models=models)
    # An article is marked enriched only once everything of it is written: fields, clusters, its
    # search-index entry. A run that fails half-way leaves its targets to be enriched again.
    write_result(store, result)
    # keep the search index current: the targets as now enriched, and context articles whose marks changed
    changed = dict(result.updates)
    index_articles(store, [{**d, **changed[d["_id"]]} for d in [*targets, *context] if d["_id"] in changed], kit)
    mark_enriched(store, result)
    return result


def load_context(store: Store, targets: Sequence[Mapping[str, Any]], window_days: int) -> list[dict[str, Any]]:
    """The stored articles of the ``window_days`` before the targets' days, targets excluded."""
    days = [t.astimezone(SHANGHAI).date() for t in (article_time(d) for d in targets) if t is not None]
    if not days:
        return []
    query = date_range_query(min(days) - timedelta(days=window_days), max(days))
    query["_id"] = {"$nin": [d["_id"] for d in targets]}
    return list(store.find_articles(query, projection=dict.fromkeys(CONTEXT_FIELDS, 1)))


def load_clusters(store: Store, docs: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The stored cluster documents of ``docs``."""
    ids = sorted({d["cluster_id"] for d in docs if d.get("cluster_id")})
    return {c["_id"]: c for c in store.collection("clusters").find({"_id": {"$in": ids}})} if ids else {}


def write_result(store: Store, result: EnrichResult) -> None:
    """Article fields but ``enriched_at``, upserted cluster documents, and clusters left with no members removed."""
    store.set_fields((_id, {k: v for k, v in fields.items() if k != DONE}) for _id, fields in result.updates)
    clusters = store.collection("clusters")
    if result.clusters:
        clusters.bulk_write([ReplaceOne({"_id": c["_id"]}, c, upsert=True) for c in result.clusters], ordered=False)
    if result.empty_clusters:
        clusters.delete_many({"_id": {"$in": result.empty_clusters}})


def mark_enriched(store: Store, result: EnrichResult) -> None:
    """Set ``enriched_at`` on the articles of ``result``: the last write of a run."""
    store.set_fields((_id, {DONE: fields[DONE]}) for _id, fields in result.updates if DONE in fields)
