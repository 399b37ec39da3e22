"""Shipped text classifiers: n-gram TF-IDF + a linear model, stored as plain JSON (no pickle).

Each model is `<name>.json` in this package: vocabulary, idf weights, coefficients, intercepts, classes and a
`meta` block (version, training date range, metrics). `enrich/training/train.py` writes them; inference needs only
numpy and scipy (and jieba for a word-level block), so a scikit-learn upgrade cannot break loading.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

FORMAT = "aidaily-linear-text/1"
WORD_FORMAT = "aidaily-word-text/1"
_NON_WORD = re.compile(r"[^\w]+")
_UNDERSCORES = re.compile(r"_+")


def normalize_for_model(text: str) -> str:
    """NFKC, lower case, every run of punctuation/emoji/space to one space (the archive is full of emoji)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _UNDERSCORES.sub(" ", _NON_WORD.sub(" ", text)).strip()


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams of a normalised text, n from low to high, within space-separated chunks."""
    grams: list[str] = []
    for chunk in text.split(" "):
        for n in range(low, high + 1):
            grams.extend(chunk[i : i + n] for i in range(len(chunk) - n + 1))
    return grams


def word_ngrams(words: Sequence[str], low: int, high: int) -> list[str]:
    """Word n-grams, n from low to high, the words of one n-gram joined by "_"."""
    grams: list[str] = []
    for n in range(low, high + 1):
        grams.extend("_".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return grams


@lru_cache(maxsize=4)
def _tokenizer(dictionary: tuple[str, ...], stopwords: tuple[str, ...]) -> Callable[[str], list[str]]:
    from enrich.tokens import TokenizerKit  # jieba loads its dictionary: only when a word model is used

    return TokenizerKit.from_terms(dictionary, frozenset(stopwords)).tokenize


def word_analyzer(
    dictionary: tuple[str, ...], stopwords: tuple[str, ...], ngram_range: tuple[int, int]
) -> Callable[[str], list[str]]:
    """The features of a word model: jieba words (with exactly this user dictionary and stop-word list) and
    their n-grams. Training and inference both build it here, so they cut text the same way."""
    tokenize = _tokenizer(dictionary, stopwords)

    def analyze(text: str) -> list[str]:
        return word_ngrams(tokenize(text), *ngram_range)

    return analyze


def document_text(doc: Mapping[str, Any], max_body_chars: int) -> str:
    """Title plus the lead of the body (or the summary): what every model sees of a document."""
    title = str(doc.get("title") or "")
    body = str(doc.get("body") or doc.get("summary") or "")
    return f"{title}\n{body[:max_body_chars]}"


class OverTextModel:
    """What a shipped model built over a ``LinearTextModel`` (its ``text`` block) and a ``meta`` block reports."""

    text: LinearTextModel
    meta: Mapping[str, Any]

    @property
    def classes(self) -> tuple[str, ...]:
        """Class names, in the column order of ``predict_proba``."""
        return self.text.classes

    @property
    def version(self) -> str:
        """The artifact's version string."""
        return str(self.meta.get("version", "unversioned"))

    @property
    def max_body_chars(self) -> int:
        """How much of the body the model reads."""
        return self.text.max_body_chars


@dataclass(frozen=True)
class LinearTextModel:
    """A TF-IDF (sublinear tf, l2) character n-gram featuriser with a linear classifier on top."""

    name: str
    classes: tuple[str, ...]
    vocabulary: Mapping[str, int]
    idf: npt.NDArray[np.float64]
    coef: npt.NDArray[np.float64]
    intercept: npt.NDArray[np.float64]
    ngram_range: tuple[int, int]
    max_body_chars: int
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The artifact's version string."""
        return str(self.meta.get("version", "unversioned"))

    def analyze(self, text: str) -> list[str]:
        """The features (n-grams) of a raw text."""
        return char_ngrams(normalize_for_model(text), *self.ngram_range)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """TF-IDF matrix of texts: 1 + log(tf), times idf, rows scaled to unit length."""
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for row, text in enumerate(texts):
            counts = Counter(self.vocabulary[g] for g in self.analyze(text) if g in self.vocabulary)
            for col in sorted(counts):
                rows.append(row)
                cols.append(col)
                values.append((1.0 + np.log(counts[col])) * self.idf[col])
        matrix = sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(self.vocabulary)))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0.0] = 1.0
        return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Class probabilities, one row per text, columns in `classes` order (logistic / softmax)."""
        if not texts:
            return np.zeros((0, len(self.classes)))
        scores = np.asarray(self.transform(texts) @ self.coef.T) + self.intercept
        if len(self.classes) == 2:
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        """The JSON document this model is stored as (coefficients rounded to 6 significant digits)."""
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {
            "format": FORMAT,
            "name": self.name,
            "meta": dict(self.meta),
            "classes": list(self.classes),
            "ngram_range": list(self.ngram_range),
            "max_body_chars": self.max_body_chars,
            "terms": terms,
            "idf": [float(f"{v:.6g}") for v in self.idf],
            "coef": [[float(f"{v:.6g}") for v in row] for row in self.coef],
            "intercept": [float(f"{v:.6g}") for v in self.intercept],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearTextModel:
        """Rebuild a model from its stored JSON document."""
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown model format {data.get('format')!r}")
        return cls(**_linear_fields(data))


def _linear_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    low, high = data["ngram_range"]
    return {
        "name": str(data["name"]),
        "classes": tuple(data["classes"]),
        "vocabulary": {term: i for i, term in enumerate(data["terms"])},
        "idf": np.asarray(data["idf"], dtype=np.float64),
        "coef": np.asarray(data["coef"], dtype=np.float64),
        "intercept": np.asarray(data["intercept"], dtype=np.float64),
        "ngram_range": (int(low), int(high)),
        "max_body_chars": int(data["max_body_chars"]),
        "meta": dict(data["meta"]),
    }


@dataclass(frozen=True)
class WordTextModel(LinearTextModel):
    """The same TF-IDF + linear layer over jieba words and word n-grams instead of characters.

    The artifact carries the user dictionary and stop words it was trained with, so editing
    `enrich/data/ai_dict.txt` for the stored tokens never changes how this model cuts text.
    """

    dictionary: tuple[str, ...] = ()
    stopwords: tuple[str, ...] = ()

    def analyze(self, text: str) -> list[str]:
        """The features (words and word n-grams) of a raw text."""
        return word_analyzer(self.dictionary, self.stopwords, self.ngram_range)(text)

    def to_json(self) -> dict[str, Any]:
        """The JSON document this model is stored as."""
        return {
            **super().to_json(),
            "format": WORD_FORMAT,
            "dictionary": list(self.dictionary),
            "stopwords": list(self.stopwords),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WordTextModel:
        """Rebuild a model from its stored JSON document."""
        if data.get("format") != WORD_FORMAT:
            raise ValueError(f"unknown word model format {data.get('format')!r}")
        return cls(
            **_linear_fields(data),
            dictionary=tuple(data["dictionary"]),
            stopwords=tuple(data["stopwords"]),
        )


def artifact_path(name: str) -> Path:
    """Where the shipped artifact `name` lives (inside the source tree, for the training script to write)."""
    return Path(__file__).with_name(f"{name}.json")


def load_artifact(name: str) -> LinearTextModel:
    """Load the shipped model `name` (e.g. "category", "relevance") from the package."""
    text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    return LinearTextModel.from_json(json.loads(text))


def save_artifact(model: LinearTextModel, path: Path) -> None:
    """Write a model as compact JSON, and its metadata alone beside it (`<name>.meta.json`)."""
    document = model.to_json()
    path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    meta_path = path.with_name(f"{path.stem}.meta.json")
    meta_path.write_text(json.dumps(document["meta"], ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
