"""Enriched documents name the model artifacts that set their labels, and only those."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from crawler.dates import SHANGHAI
from enrich.runner import EnrichSettings, Models, enrich
from enrich.tokens import TokenizerKit

NOW = datetime(2026, 1, 21, 8, 0, tzinfo=SHANGHAI)


def _every_item_is_business(docs: Sequence[Mapping[str, Any]]) -> list[tuple[str, float]]:
    return [("产业商业", 0.9) for _ in docs]


def test_versions_of_the_models_that_ran(kit: TokenizerKit, articles: list[dict[str, Any]]) -> None:
    versions = {"relevance": "1.0.0", "category": "9.9.9"}
    only_category = Models(category=_every_item_is_business, versions=versions)
    updates = dict(enrich(articles, [], kit=kit, settings=EnrichSettings(), now=NOW, models=only_category).updates)
    assert updates and all(f["category"] == "产业商业" for f in updates.values())
    # Relevance did not run, so its version must not vouch for an ai_score the document does not have.
    assert all(f["model_versions"] == {"category": "9.9.9"} for f in updates.values())

    unlabelled = dict(enrich(articles, [], kit=kit, settings=EnrichSettings(), now=NOW, models=Models()).updates)
    assert all("model_versions" not in f and "category" not in f for f in unlabelled.values())
