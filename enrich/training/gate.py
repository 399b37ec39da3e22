"""Fit the offline event gate (``enrich.pairmodel``) on the dev weeks: python -m enrich.training.gate.

Data: every candidate pair the runner proposes on each dev week of ``bench/data/feeds`` (``dev``, ``dev-0723``,
``dev-0817``; never ``test``), labelled 1 when the week's gold puts both articles in one event. The candidates are
collected through the runner itself (``enrich(on_candidates=...)``), so they are exactly the pairs the gate will be
asked about. Features are numbers only (``enrich.pairmodel.FEATURES``); the artifact keeps coefficients, scaling
and a threshold, no text.

Choices, all by cross-validation grouped by the day of the later article (leave one day out, 17 days): the
regularisation C (the best out-of-fold log-loss), then the operating threshold — the lowest probability whose
out-of-fold candidate precision, hard rules applied, is at least ``TARGET_PRECISION`` (ties to the higher recall).
The shipped model is then fitted on every dev candidate. Deterministic: lbfgs, a fixed grid, sorted days.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from crawler.dates import SHANGHAI
from enrich.pairgate import Pair
from enrich.pairmodel import FEATURES, HARD_RULES, PairModel, artifact_path, feature_matrix, forbidden, save_pair_model
from enrich.runner import EnrichSettings, enrich
from enrich.tokens import TokenizerKit

FEEDS = Path(__file__).resolve().parents[2] / "bench" / "data" / "feeds"
DEV_WEEKS = ("dev", "dev-0723", "dev-0817")
TARGET_PRECISION = 0.97
MIN_ACCEPTED = 20  # a threshold must accept at least this many out-of-fold candidates to count
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
VERSION = "3.0.0"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI)  # enrichment time stamp only; no decision depends on it


@dataclass(frozen=True)
class Candidate:
    """One candidate pair of a week, its day (the later article's) and whether the gold joins it."""

    week: str
    day: date
    query: str
    pool: str
    pair: Pair
    same: bool


def read_week(week: str, feeds: Path = FEEDS, label: str = "gold") -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Articles of a labelled feed week and their event: ``gold`` (v2, the pairs both readers joined), ``event``
    (v1, the first reader) or ``event_b``."""
    docs: list[dict[str, Any]] = []
    gold: dict[str, str] = {}
    for line in (feeds / f"{week}.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        docs.append({
            "_id": item["id"], "url": item["url"], "source": item["source"], "title": item["title"],
            "body": item["lead"], "published_at": datetime.fromisoformat(item["published_at"]),
        })  # fmt: skip
        gold[item["id"]] = item[label]
    return docs, gold


def never(pairs: Sequence[Pair]) -> list[bool]:
    """A gate that joins nothing (candidates do not depend on earlier joins)."""
    return [False] * len(pairs)


def collect(week: str, kit: TokenizerKit, feeds: Path = FEEDS) -> list[Candidate]:
    """Every candidate pair the runner proposes on the week, labelled by its gold."""
    docs, gold = read_week(week, feeds)
    found: list[Candidate] = []

    def sink(day: date, pairs: Sequence[tuple[str, str, Pair]]) -> None:
        found.extend(Candidate(week, day, q, p, pair, gold[q] == gold[p]) for q, p, pair in pairs)

    enrich(docs, [], kit=kit, settings=EnrichSettings(gate_verdict=never), now=NOW, on_candidates=sink)
    return found


def fit(
    matrix: npt.NDArray[np.float64], labels: npt.NDArray[np.bool_], c: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(mean, scale, coef, intercept) of a logistic model on standardised features."""
    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale[scale == 0.0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit((matrix - mean) / scale, labels)
    return mean, scale, model.coef_[0].astype(np.float64), float(model.intercept_[0])


def _model(
    parts: tuple[np.ndarray, np.ndarray, np.ndarray, float], threshold: float, meta: Mapping[str, Any]
) -> PairModel:
    mean, scale, coef, intercept = parts
    return PairModel(tuple(FEATURES), mean, scale, coef, intercept, threshold, tuple(HARD_RULES), dict(meta))


def out_of_fold(matrix: np.ndarray, labels: np.ndarray, groups: Sequence[Any], c: float) -> npt.NDArray[np.float64]:
    """Each candidate's probability from a model fitted without its group (leave one group out)."""
    groups_array = np.asarray([str(g) for g in groups])
    out = np.zeros(len(labels))
    for group in sorted(set(groups_array.tolist())):
        held = groups_array == group
        model = _model(fit(matrix[~held], labels[~held], c), 0.5, {})
        out[held] = model.probability_of(matrix[held])
    return out


def choose_threshold(
    probability: np.ndarray, labels: np.ndarray, blocked: np.ndarray, target: float = TARGET_PRECISION
) -> tuple[float, float, float]:
    """(threshold, precision, recall) of the lowest threshold whose accepted candidates reach ``target`` precision."""
    allowed = ~blocked
    positives = max(1, int(labels.sum()))
    best = (1.0, 1.0, 0.0)
    for threshold in sorted(set(np.round(probability[allowed], 4).tolist()), reverse=True):
        accepted = allowed & (probability >= threshold)
        n = int(accepted.sum())
        precision = float(labels[accepted].mean()) if n else 1.0
        if n >= MIN_ACCEPTED and precision >= target:
            best = (float(threshold), precision, float((labels & accepted).sum()) / positives)
    return best


def fold_days(candidates: Sequence[Candidate]) -> list[str]:
    """The cross-validation group of each candidate: its week and day."""
    return [f"{c.week}/{c.day.isoformat()}" for c in candidates]


def train(candidates: Sequence[Candidate]) -> tuple[PairModel, dict[str, Any]]:
    """The shipped model and its cross-validation figures."""
    matrix = feature_matrix([c.pair for c in candidates])
    labels = np.asarray([c.same for c in candidates])
    blocked = forbidden([c.pair for c in candidates])
    groups = fold_days(candidates)
    losses = {}
    for c in C_GRID:
        probability = out_of_fold(matrix, labels, groups, c)
        losses[c] = float(log_loss(labels, np.clip(probability, 1e-6, 1 - 1e-6)))
    best_c = min(C_GRID, key=lambda c: (losses[c], c))
    probability = out_of_fold(matrix, labels, groups, best_c)
    threshold, precision, recall = choose_threshold(probability, labels, blocked)
    weeks = sorted({c.week for c in candidates})
    meta: dict[str, Any] = {
        "version": VERSION,
        "trained_at": dt.date.today().isoformat(),
        "task": "event_gate",
        "weeks": weeks,
        "n_candidates": len(candidates),
        "n_same": int(labels.sum()),
        "n_days": len(set(groups)),
        "C": best_c,
        "cv": {
            "grouping": "leave one day out (the later article's day)",
            "log_loss": {str(c): round(v, 4) for c, v in losses.items()},
            "target_precision": TARGET_PRECISION,
            "candidate_precision": round(precision, 4),
            "candidate_recall": round(recall, 4),
        },
        "data": "candidate pairs of the dev weeks of bench/data/feeds (numbers only; no text is stored)",
    }
    return _model(fit(matrix, labels, best_c), threshold, meta), meta


def fold_models(candidates: Sequence[Candidate], c: float) -> dict[str, PairModel]:
    """Per held-out day, a model fitted on the other days with its threshold chosen by CV on those days alone
    (nested), for cross-validated clustering figures."""
    matrix = feature_matrix([cand.pair for cand in candidates])
    labels = np.asarray([cand.same for cand in candidates])
    blocked = forbidden([cand.pair for cand in candidates])
    groups = np.asarray(fold_days(candidates))
    out = {}
    for group in sorted(set(groups.tolist())):
        train_rows = groups != group
        inner = out_of_fold(matrix[train_rows], labels[train_rows], groups[train_rows].tolist(), c)
        threshold = choose_threshold(inner, labels[train_rows], blocked[train_rows])[0]
        out[group] = _model(fit(matrix[train_rows], labels[train_rows], c), threshold, {"held_out": group})
    return out


def by_day(
    models: Mapping[str, PairModel], week: str
) -> tuple[Callable[[date, Sequence[Any]], None], Callable[[Sequence[Pair]], list[bool]]]:
    """(candidate sink, gate verdict) that decide each day of ``week`` with the model that did not see it."""
    current: list[str] = [""]

    def sink(day: date, _pairs: Sequence[Any]) -> None:
        current[0] = f"{week}/{day.isoformat()}"

    def verdict(pairs: Sequence[Pair]) -> list[bool]:
        model = models.get(current[0])
        return model.accept(pairs) if model is not None else [False] * len(pairs)

    return sink, verdict


def collect_weeks(weeks: Iterable[str], kit: TokenizerKit | None = None) -> list[Candidate]:
    """Candidates of several weeks."""
    kit = kit or TokenizerKit.build()
    return [c for week in weeks for c in collect(week, kit)]


def main(argv: Sequence[str] | None = None) -> None:
    """Fit on the dev weeks and write ``enrich/models/pairgate.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weeks", nargs="+", default=list(DEV_WEEKS))
    args = parser.parse_args(argv)
    if "test" in args.weeks:
        parser.error("the test week is never trained on")
    model, meta = train(collect_weeks(args.weeks))
    path = artifact_path()
    save_pair_model(model, path)
    print(f"pair gate {model.version}: threshold {model.threshold:.4f}, C {meta['C']}, cv {meta['cv']} -> {path}")


if __name__ == "__main__":
    main()
