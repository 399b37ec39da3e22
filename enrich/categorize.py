"""Category of a document (技术底座 / 行业动态 / 产业商业) from the shipped category model.

The model is one multinomial logistic regression over two feature blocks: character 1–3-gram TF-IDF of the title
and body lead (a `LinearTextModel`), and a few domain-keyword counts (distinct hits of hand-written business /
technology / industry lists, log-scaled). The keyword block lets the rare 产业商业 class lean on 融资/估值/财报-style
evidence the n-grams see too sparsely. A second, word-level model (jieba words and word bigrams, a
`WordTextModel`) may sit beside it; the category is then the mean of the two models' probabilities — characters and
words err on different items. Stored as JSON (`enrich/models/category.json`), no pickle.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from enrich.categories import CATEGORIES
from enrich.models import LinearTextModel, OverTextModel, WordTextModel, document_text

FORMAT = "aidaily-category/2"
# /3 adds the word-level model; an older reader must refuse it rather than silently ignore half the model.
FORMAT_WITH_WORDS = "aidaily-category/3"


def keyword_counts(texts: Sequence[str], lists: Sequence[Sequence[str]]) -> npt.NDArray[np.float64]:
    """log(1 + distinct hits) of each keyword list in each text (case-sensitive substring match)."""
    counts = np.zeros((len(texts), len(lists)))
    for row, text in enumerate(texts):
        for col, words in enumerate(lists):
            counts[row, col] = sum(word in text for word in words)
    return np.log1p(counts)


@dataclass(frozen=True)
class CategoryModel(OverTextModel):
    """Character n-gram TF-IDF block + keyword-count block, one linear softmax layer over both; optionally
    averaged with a word-level model."""

    text: LinearTextModel
    keyword_lists: tuple[tuple[str, ...], ...]
    keyword_coef: npt.NDArray[np.float64]
    meta: Mapping[str, Any] = field(default_factory=dict)
    words: WordTextModel | None = None

    def __post_init__(self) -> None:
        if self.words is not None and self.words.classes != self.text.classes:
            raise ValueError(f"word model classes {self.words.classes} differ from {self.text.classes}")

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Class probabilities, one row per text."""
        if not texts:
            return np.zeros((0, len(self.classes)))
        scores = np.asarray(self.text.transform(texts) @ self.text.coef.T) + self.text.intercept
        scores = scores + keyword_counts(texts, self.keyword_lists) @ self.keyword_coef.T
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        probabilities = exp / exp.sum(axis=1, keepdims=True)
        if self.words is not None:
            probabilities = (probabilities + self.words.predict_proba(texts)) / 2.0
        return np.asarray(probabilities, dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        """The JSON document the model is stored as."""
        document: dict[str, Any] = {
            "format": FORMAT if self.words is None else FORMAT_WITH_WORDS,
            "meta": dict(self.meta),
            "text": self.text.to_json(),
            "keyword_lists": [list(words) for words in self.keyword_lists],
            "keyword_coef": [[float(f"{v:.6g}") for v in row] for row in self.keyword_coef],
        }
        if self.words is not None:
            document["words"] = self.words.to_json()
        return document

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CategoryModel:
        """Rebuild a model from its stored JSON document."""
        if data.get("format") not in (FORMAT, FORMAT_WITH_WORDS):
            raise ValueError(f"unknown category model format {data.get('format')!r}")
        return cls(
            text=LinearTextModel.from_json(data["text"]),
            keyword_lists=tuple(tuple(words) for words in data["keyword_lists"]),
            keyword_coef=np.asarray(data["keyword_coef"], dtype=np.float64),
            meta=dict(data["meta"]),
            words=WordTextModel.from_json(data["words"]) if "words" in data else None,
        )


def artifact_path() -> Path:
    """Where the shipped category artifact lives (the training script writes it)."""
    return Path(__file__).with_name("models") / "category.json"


def save_model(model: CategoryModel, path: Path) -> None:
    """Write the model as compact JSON, and its metadata alone beside it (`category.meta.json`)."""
    document = model.to_json()
    path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    meta_path = path.with_name(f"{path.stem}.meta.json")
    meta_path.write_text(json.dumps(document["meta"], ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def load_model() -> CategoryModel:
    """The shipped category model (loaded once per process)."""
    text = resources.files("enrich.models").joinpath("category.json").read_text(encoding="utf-8")
    model = CategoryModel.from_json(json.loads(text))
    if set(model.classes) != set(CATEGORIES):
        raise ValueError(f"category artifact has classes {model.classes}, expected {CATEGORIES}")
    return model


def categorize(docs: Sequence[Mapping[str, Any]], model: CategoryModel) -> list[tuple[str, float]]:
    """(category, confidence) per document; docs need `title` and `body` or `summary` (`tokens` are not used)."""
    probabilities = model.predict_proba([document_text(doc, model.max_body_chars) for doc in docs])
    result: list[tuple[str, float]] = []
    for row in probabilities:
        best = int(row.argmax())
        result.append((model.classes[best], round(float(row[best]), 4)))
    return result
