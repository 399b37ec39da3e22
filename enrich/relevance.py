"""AI relevance of a document: ai_score in 0..1 and is_ai, from the shipped character n-gram model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from enrich.models import LinearTextModel, document_text, load_artifact

RelevanceModel = LinearTextModel
AI_LABEL = "ai"


@lru_cache(maxsize=1)
def load_model() -> RelevanceModel:
    """The shipped relevance model (loaded once per process)."""
    model = load_artifact("relevance")
    if AI_LABEL not in model.classes:
        raise ValueError(f"relevance artifact has classes {model.classes}, expected one named {AI_LABEL!r}")
    return model


def threshold(model: RelevanceModel) -> float:
    """The ai_score at and above which a document counts as AI (stored with the model, 0.5 by default)."""
    return float(model.meta.get("threshold", 0.5))


def score_relevance(docs: Sequence[Mapping[str, Any]], model: RelevanceModel) -> list[tuple[float, bool]]:
    """(ai_score, is_ai) per document; docs need `title` and `body` or `summary`."""
    probabilities = model.predict_proba([document_text(doc, model.max_body_chars) for doc in docs])
    column = model.classes.index(AI_LABEL)
    cut = threshold(model)
    return [(round(float(p), 4), bool(p >= cut)) for p in probabilities[:, column]]
