"""The offline gate of the event join: a logistic model over a candidate pair's numeric features, and hard rules.

A candidate (``enrich.pairgate.Pair``) is described by a dozen and a half numbers — title and title+lead cosines,
the summed IDF of the rare names both carry, shared sums, hours apart, same source, title containment, name overlap,
market-report and figure flags — and joined when the model's probability reaches the artifact's threshold, unless a
hard rule forbids it: another version or amount in the titles, a round-up, market reports of another market, report
point or session, titles naming different dates, two titles of one series, different figures stated hours apart
(``enrich.pairrules``). The artifact (``enrich/models/pairgate.json``) is coefficients, feature scaling and the
threshold, nothing of any text; ``enrich.training.gate`` fits it on the dev weeks of ``bench/data/feeds`` by
day-grouped cross-validation (see that folder's README for why this is allowed).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from enrich.pairgate import Pair

FORMAT = "aidaily-pair-gate/1"
ARTIFACT = "pairgate"


Columns = Mapping[str, npt.NDArray[np.float64]]
# The Pair fields the features and rules read, as columns (one pass per field: the gate sees millions of pairs).
_FIELDS = ("title_sim", "full_sim", "strong", "lead_strong", "rare", "named", "amounts", "hours", "same_source",
           "market", "figure_conflict", "roundup", "session_conflict", "date_conflict", "shared_figure",
           "title_contain", "name_overlap", "same_series", "later_figure")  # fmt: skip
_NONEMPTY = ("blocked", "lead_blocked")  # tuples: whether there is any


def columns(pairs: Sequence[Pair]) -> dict[str, npt.NDArray[np.float64]]:
    """The pairs' fields as float columns."""
    n = len(pairs)
    out = {name: np.fromiter((getattr(p, name) for p in pairs), dtype=np.float64, count=n) for name in _FIELDS}
    out |= {name: np.fromiter((bool(getattr(p, name)) for p in pairs), dtype=np.float64, count=n) for name in _NONEMPTY}
    return out


# Each feature is a column of numbers; sums are capped so one long list of shared names cannot dominate.
FEATURES: dict[str, Callable[[Columns], npt.NDArray[np.float64]]] = {
    "title_sim": lambda c: c["title_sim"],
    "full_sim": lambda c: c["full_sim"],
    "title_x_full": lambda c: c["title_sim"] * c["full_sim"],
    "strong": lambda c: np.minimum(c["strong"], 30.0) / 30.0,
    "lead_strong": lambda c: np.minimum(c["lead_strong"], 30.0) / 30.0,
    "rare": lambda c: np.minimum(c["rare"], 40.0) / 40.0,
    "named": lambda c: np.minimum(c["named"], 3.0) / 3.0,
    "amounts": lambda c: np.minimum(c["amounts"], 3.0) / 3.0,
    "log_hours": lambda c: np.log1p(c["hours"]),
    "same_source": lambda c: c["same_source"],
    "lead_blocked": lambda c: c["lead_blocked"],
    "market": lambda c: c["market"],
    "figure_conflict": lambda c: c["figure_conflict"],
    "shared_figure": lambda c: c["shared_figure"],
    "title_contain": lambda c: c["title_contain"],
    "name_overlap": lambda c: c["name_overlap"],
}
# Never one event, whatever the numbers say.
HARD_RULES: dict[str, str] = {
    "blocked": "another version or amount in the two titles",
    "roundup": "either is a round-up of many happenings",
    "session_conflict": "market reports of another market, report point or session",
    "date_conflict": "the titles name different dates",
    "same_series": "two titles of one series or column (two talks of it)",
    "later_figure": "the titles state different figures hours apart (a later development)",
}


def feature_matrix(
    pairs: Sequence[Pair], names: Sequence[str] = tuple(FEATURES), data: Columns | None = None
) -> npt.NDArray[np.float64]:
    """One row per pair, one column per feature name (``data``: the pairs' columns, when already read)."""
    if not pairs:
        return np.zeros((0, len(names)))
    data = columns(pairs) if data is None else data
    return np.column_stack([FEATURES[n](data) for n in names])


def forbidden(
    pairs: Sequence[Pair], rules: Sequence[str] = tuple(HARD_RULES), data: Columns | None = None
) -> npt.NDArray[np.bool_]:
    """Whether a hard rule forbids joining each pair."""
    data = columns(pairs) if data is None else data
    out = np.zeros(len(pairs), dtype=bool)
    for rule in rules:
        out |= data[rule] > 0
    return out


@dataclass(frozen=True)
class PairModel:
    """Standardised features, logistic coefficients and the operating threshold of the offline gate."""

    features: tuple[str, ...]
    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    coef: npt.NDArray[np.float64]
    intercept: float
    threshold: float
    rules: tuple[str, ...] = tuple(HARD_RULES)
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The artifact's version string."""
        return str(self.meta.get("version", "unversioned"))

    def probability(self, pairs: Sequence[Pair]) -> npt.NDArray[np.float64]:
        """The model's probability that each pair is one event (hard rules not applied)."""
        return self.probability_of(feature_matrix(pairs, self.features))

    def probability_of(self, matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The same from a feature matrix (columns in ``features`` order)."""
        if not len(matrix):
            return np.zeros(0)
        scores = ((matrix - self.mean) / self.scale) @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-scores)), dtype=np.float64)

    def accept(self, pairs: Sequence[Pair]) -> list[bool]:
        """The gate's verdict per pair: probability at the threshold or above, and no hard rule against it."""
        if not pairs:
            return []
        data = columns(pairs)
        probability = self.probability_of(feature_matrix(pairs, self.features, data))
        return [bool(v) for v in (probability >= self.threshold) & ~forbidden(pairs, self.rules, data)]

    def to_json(self) -> dict[str, Any]:
        """The stored document (numbers rounded to 6 significant digits)."""
        return {
            "format": FORMAT,
            "name": ARTIFACT,
            "meta": dict(self.meta),
            "features": list(self.features),
            "mean": [float(f"{v:.6g}") for v in self.mean],
            "scale": [float(f"{v:.6g}") for v in self.scale],
            "coef": [float(f"{v:.6g}") for v in self.coef],
            "intercept": float(f"{self.intercept:.6g}"),
            "threshold": float(f"{self.threshold:.6g}"),
            "rules": list(self.rules),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PairModel:
        """Rebuild a model from its stored document; unknown features or rules are an error, not a silent zero."""
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown pair gate format {data.get('format')!r}")
        features, rules = tuple(data["features"]), tuple(data["rules"])
        unknown = [n for n in features if n not in FEATURES] + [r for r in rules if r not in HARD_RULES]
        if unknown:
            raise ValueError(f"pair gate artifact names unknown features or rules: {unknown}")
        mean, scale, coef = (np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "coef"))
        if any(a.shape != (len(features),) for a in (mean, scale, coef)):
            raise ValueError("pair gate artifact: mean, scale and coef must have one number per feature")
        intercept, threshold = float(data["intercept"]), float(data["threshold"])
        return cls(features, mean, scale, coef, intercept, threshold, rules, dict(data["meta"]))


def artifact_path() -> Path:
    """Where the shipped gate lives in the source tree (for the training script to write)."""
    return Path(__file__).with_name("models") / f"{ARTIFACT}.json"


@lru_cache(maxsize=1)
def load_pair_model() -> PairModel:
    """The shipped pair model (loaded once per process)."""
    text = resources.files("enrich.models").joinpath(f"{ARTIFACT}.json").read_text(encoding="utf-8")
    return PairModel.from_json(json.loads(text))


def shipped_gate() -> Callable[[Sequence[Pair]], list[bool]]:
    """The offline gate the runner uses by default: the shipped pair model's verdicts."""
    return load_pair_model().accept


def save_pair_model(model: PairModel, path: Path) -> None:
    """Write the artifact, and its metadata alone beside it (``pairgate.meta.json``)."""
    document = model.to_json()
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    meta = path.with_name(f"{path.stem}.meta.json")
    meta.write_text(json.dumps(document["meta"], ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
