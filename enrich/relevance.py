"""AI relevance of a document: ai_score in 0..1 and is_ai, from the shipped relevance model and a name prior.

The model (3.x) is one logistic regression over two feature blocks: character 1–3-gram TF-IDF of the title and body
lead (a ``LinearTextModel``), and a small lexicon block — how many distinct AI terms and AI names
(``enrich/data/relevance_prior.json``: 大模型, 算力, 具身, OpenAI, 智谱 …) the title and the lead carry, and whether the
title is a round-up (早报, 氪星晚报 …). The lexicon generalises where the n-grams only know the archive's wording: a
results release or a market move that names AI is AI, a phone that mentions an AI feature in the lead is not.

The model's probability is the ai_score. Whether a document is AI is decided on it with a prior the artifact names
(``meta.prior``): a title that names AI needs only ``with_name``; any other document needs ``threshold``. In mixed
feeds the title's subject is what decides; the two thresholds are chosen on the dev feed weeks. Artifacts of format
``aidaily-linear-text/1`` (2.x, n-grams only) still load: their lexicon block is empty.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from enrich.entities import ALIASES_FILE
from enrich.models import LinearTextModel, OverTextModel, document_text
from enrich.pairgate import is_roundup

AI_LABEL = "ai"
FORMAT = "aidaily-relevance/2"
PRIOR_FILE = "relevance_prior.json"


@lru_cache(maxsize=4)
def _prior(name: str) -> Mapping[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("enrich.data").joinpath(name).read_text(encoding="utf-8"))
    # AI names: the file's own, every product of the event join's alias table, and the AI companies it lists there.
    aliases = tomllib.loads(resources.files("enrich.data").joinpath(ALIASES_FILE).read_text(encoding="utf-8"))
    spellings = [s for spelling in aliases.get("products", {}).values() for s in spelling]
    spellings += [s for key in data.get("alias_companies", []) for s in aliases["companies"][key]]
    data["names_latin"] = sorted({*data.get("names_latin", []), *(s for s in spellings if s.isascii())})
    data["names"] = sorted({*data.get("names", []), *(s for s in spellings if not s.isascii())})
    return data


def _alternation(latin: Sequence[str], words: Sequence[str]) -> str:
    latin_part = "|".join(re.escape(w) for w in sorted(latin, key=len, reverse=True))
    words_part = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return rf"(?i)(?<![a-z0-9])(?:{latin_part})(?![a-z])|{words_part}"


@lru_cache(maxsize=4)
def name_pattern(name: str) -> re.Pattern[str]:
    """What a title must name for the lower threshold: any AI term or AI name of a prior file in ``enrich/data``."""
    data = _prior(name)
    return re.compile(
        _alternation([*data["latin"], *data.get("names_latin", [])], [*data["words"], *data.get("names", [])])
    )


@lru_cache(maxsize=4)
def _term_patterns(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    data = _prior(name)
    return (
        re.compile(_alternation(data["latin"], data["words"])),
        re.compile(_alternation(data["names_latin"], data["names"])),
    )


def _distinct(pattern: re.Pattern[str], text: str) -> float:
    return float(np.log1p(len({m.lower() for m in pattern.findall(text)})))


# The lexicon block's possible columns (an artifact names the ones it was fitted with): log(1 + distinct hits) of AI
# terms in the title and in the lead, of AI names in the title, and whether the title is a round-up.
LEXICON: dict[str, Callable[[str, str], float]] = {
    "ai_terms_title": lambda title, lead: _distinct(_term_patterns(PRIOR_FILE)[0], title),
    "ai_terms_lead": lambda title, lead: _distinct(_term_patterns(PRIOR_FILE)[0], lead),
    "ai_names_title": lambda title, lead: _distinct(_term_patterns(PRIOR_FILE)[1], title),
    "roundup": lambda title, lead: float(is_roundup(title)),
}


def lexicon_features(
    docs: Sequence[Mapping[str, Any]], names: Sequence[str], max_body_chars: int
) -> npt.NDArray[np.float64]:
    """One row per document, one column per lexicon feature name."""
    functions = [LEXICON[n] for n in names]
    rows = []
    for doc in docs:
        title = str(doc.get("title") or "")
        lead = str(doc.get("body") or doc.get("summary") or "")[:max_body_chars]
        rows.append([f(title, lead) for f in functions])
    return np.asarray(rows, dtype=np.float64).reshape(len(docs), len(functions))


@dataclass(frozen=True)
class RelevanceModel(OverTextModel):
    """Character n-gram block + lexicon block, one logistic layer over both (an empty lexicon block for 2.x)."""

    text: LinearTextModel
    lexicon: tuple[str, ...] = ()
    lexicon_coef: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    meta: Mapping[str, Any] = field(default_factory=dict)

    def predict_proba(self, docs: Sequence[Mapping[str, Any]]) -> npt.NDArray[np.float64]:
        """Class probabilities per document (two columns, ``classes`` order)."""
        if not docs:
            return np.zeros((0, len(self.classes)))
        texts = [document_text(doc, self.max_body_chars) for doc in docs]
        score = np.asarray(self.text.transform(texts) @ self.text.coef.T).ravel() + self.text.intercept[0]
        if self.lexicon:
            score = score + lexicon_features(docs, self.lexicon, self.max_body_chars) @ self.lexicon_coef
        positive = 1.0 / (1.0 + np.exp(-score))  # the probability of classes[1]
        return np.column_stack([1.0 - positive, positive])

    def to_json(self) -> dict[str, Any]:
        """The stored document."""
        return {
            "format": FORMAT,
            "meta": dict(self.meta),
            "text": self.text.to_json(),
            "lexicon": list(self.lexicon),
            "lexicon_coef": [float(f"{v:.6g}") for v in self.lexicon_coef],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RelevanceModel:
        """Rebuild from a stored document (3.x), or wrap a 2.x n-gram artifact."""
        if data.get("format") == FORMAT:
            lexicon = tuple(data["lexicon"])
            coef = np.asarray(data["lexicon_coef"], dtype=np.float64)
            if unknown := [n for n in lexicon if n not in LEXICON]:
                raise ValueError(f"relevance artifact names unknown lexicon features {unknown}")
            if coef.shape != (len(lexicon),):
                raise ValueError("relevance artifact: one lexicon coefficient per lexicon feature")
            return cls(LinearTextModel.from_json(data["text"]), lexicon, coef, dict(data["meta"]))
        text = LinearTextModel.from_json(data)  # a 2.x artifact; raises on an unknown format
        return cls(text, (), np.zeros(0), dict(text.meta))


@lru_cache(maxsize=1)
def load_model() -> RelevanceModel:
    """The shipped relevance model (loaded once per process)."""
    document = json.loads(resources.files("enrich.models").joinpath("relevance.json").read_text(encoding="utf-8"))
    model = RelevanceModel.from_json(document)
    if AI_LABEL not in model.classes or len(model.classes) != 2:
        raise ValueError(f"relevance artifact has classes {model.classes}, expected two, one named {AI_LABEL!r}")
    return model


def threshold(model: RelevanceModel) -> float:
    """The ai_score at and above which a document counts as AI (stored with the model, 0.5 by default)."""
    return float(model.meta.get("threshold", 0.5))


def score_relevance(docs: Sequence[Mapping[str, Any]], model: RelevanceModel) -> list[tuple[float, bool]]:
    """(ai_score, is_ai) per document; docs need `title` and `body` or `summary`."""
    probabilities = model.predict_proba(docs)
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
