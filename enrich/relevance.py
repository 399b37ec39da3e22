"""AI relevance of a document: ai_score in 0..1 and is_ai, from the shipped character n-gram model and a name prior.

The model's probability is the ai_score. Whether a document is AI is decided on it with a prior the artifact names
(``meta.prior``): a title that names AI (``enrich/data/relevance_prior.json``: 大模型, 算力, OpenAI …) needs only
``with_name``; any other document needs ``threshold``. In mixed feeds the title's subject is what decides, and a
model trained on AI digests scores any tech-flavoured 快讯 high; the two thresholds were chosen on the dev feed week.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
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


@lru_cache(maxsize=4)
def name_pattern(name: str) -> re.Pattern[str]:
    """The titles' AI-name pattern of a prior file in ``enrich/data``."""
    data = json.loads(resources.files("enrich.data").joinpath(name).read_text(encoding="utf-8"))
    latin = "|".join(re.escape(w) for w in sorted(data["latin"], key=len, reverse=True))
    words = "|".join(re.escape(w) for w in sorted(data["words"], key=len, reverse=True))
    return re.compile(rf"(?i)(?<![a-z0-9])(?:{latin})(?![a-z])|{words}")


def score_relevance(docs: Sequence[Mapping[str, Any]], model: RelevanceModel) -> list[tuple[float, bool]]:
    """(ai_score, is_ai) per document; docs need `title` and `body` or `summary`."""
    probabilities = model.predict_proba([document_text(doc, model.max_body_chars) for doc in docs])
    column = model.classes.index(AI_LABEL)
    cut = threshold(model)
    prior = model.meta.get("prior")
    pattern = name_pattern(str(prior["file"])) if prior else None
    out = []
    for doc, p in zip(docs, probabilities[:, column], strict=True):
        named = pattern is not None and pattern.search(str(doc.get("title") or "")) is not None
        needed = float(prior["with_name"]) if named and prior else cut
        out.append((round(float(p), 4), bool(p >= needed)))
    return out
