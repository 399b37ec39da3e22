"""Quality of the shipped category and relevance models on the held-out dates, beside keyword-rule baselines.

Run alone: `.venv/bin/python bench/quality_category.py [--labels-dir DIR]` prints the table and the confusion
matrix. Category headline: the gold labels of every held-out item (enrich/training/gold_heldout.tsv, the majority
of three readers who read each item blind against enrich/training/GUIDELINE.md); secondary: the first reader's
labels alone (the single-reader gold of the 2.x models).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from enrich.categorize import CATEGORIES, categorize
from enrich.categorize import load_model as load_category_model
from enrich.relevance import load_model as load_relevance_model
from enrich.relevance import score_relevance
from enrich.training.dataset import (
    DEFAULT_LABELS_DIR,
    Example,
    category_split,
    gold_held_out,
    read_gold,
    relevance_split,
)
from enrich.training.mapping import keyword_baseline, load_keywords


def _relevance_baseline(example: Example, words: Sequence[str]) -> str:
    text = f"{example.title}\n{example.body}"
    return "ai" if any(word in text for word in words) else "not_ai"


def _relevance_keywords() -> list[str]:
    raw = resources.files("enrich.data").joinpath("relevance_keywords.json").read_text(encoding="utf-8")
    return list(json.loads(raw)["ai"])


def evaluate(labels_dir: Path = DEFAULT_LABELS_DIR) -> dict[str, Any]:
    """Predictions of the shipped models and the baselines on the held-out examples."""
    split = category_split(labels_dir)
    category = split.held_out
    keywords = load_keywords()
    gold = [e.label for e in gold_held_out(split)]
    first_reader = [e.label for e in gold_held_out(split, read_gold(column="first_reader"))]
    predicted = [label for label, _ in categorize([e.as_doc() for e in category], load_category_model())]
    baseline = [keyword_baseline(f"{e.title}\n{e.body}", keywords) for e in category]
    relevance = relevance_split(labels_dir).held_out
    rel_gold = [e.label for e in relevance]
    scores = score_relevance([e.as_doc() for e in relevance], load_relevance_model())
    rel_predicted = ["ai" if is_ai else "not_ai" for _, is_ai in scores]
    words = _relevance_keywords()
    rel_baseline = [_relevance_baseline(e, words) for e in relevance]
    return {
        "gold": gold,
        "first_reader": first_reader,
        "predicted": predicted,
        "baseline": baseline,
        "rel_gold": rel_gold,
        "rel_predicted": rel_predicted,
        "rel_baseline": rel_baseline,
    }


def _negative_recall(gold: Sequence[str], predicted: Sequence[str]) -> float:
    negatives = [p for g, p in zip(gold, predicted, strict=True) if g == "not_ai"]
    return sum(p == "not_ai" for p in negatives) / max(1, len(negatives))


def _macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    return float(f1_score(gold, predicted, average="macro", labels=list(CATEGORIES)))


def category_rows(labels_dir: Path = DEFAULT_LABELS_DIR) -> list[dict[str, Any]]:
    """Table rows (metric, value, target, baseline) for the held-out split; baselines computed in the same call.
    The category target applies to the gold rows; the first-reader rows are secondary information."""
    return rows_from(evaluate(labels_dir))


def rows_from(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The table rows of one `evaluate` result."""

    def row(metric: str, value: float, target: float | None, baseline: float | None) -> dict[str, Any]:
        return {
            "metric": metric,
            "value": round(value, 3),
            "target": target,
            "baseline": None if baseline is None else round(baseline, 3),
        }

    n = len(r["gold"])
    return [
        row(
            f"category accuracy (held-out, gold labels, n={n})",
            accuracy_score(r["gold"], r["predicted"]),
            None,
            accuracy_score(r["gold"], r["baseline"]),
        ),
        row(
            "category macro-F1 (held-out, gold labels)",
            _macro_f1(r["gold"], r["predicted"]),
            0.85,
            _macro_f1(r["gold"], r["baseline"]),
        ),
        row(
            f"category accuracy (held-out, first reader's labels, n={n})",
            accuracy_score(r["first_reader"], r["predicted"]),
            None,
            accuracy_score(r["first_reader"], r["baseline"]),
        ),
        row(
            "category macro-F1 (held-out, first reader's labels)",
            _macro_f1(r["first_reader"], r["predicted"]),
            None,
            _macro_f1(r["first_reader"], r["baseline"]),
        ),
        row(
            f"relevance accuracy (held-out, n={len(r['rel_gold'])})",
            accuracy_score(r["rel_gold"], r["rel_predicted"]),
            0.90,
            accuracy_score(r["rel_gold"], r["rel_baseline"]),
        ),
        row(
            "relevance non-AI recall (held-out negatives)",
            _negative_recall(r["rel_gold"], r["rel_predicted"]),
            None,
            _negative_recall(r["rel_gold"], r["rel_baseline"]),
        ),
    ]


def confusion_table(r: dict[str, Any], predictions: str = "predicted") -> str:
    """The held-out category confusion matrix of an `evaluate` result (rows: gold label, columns: `predictions`
    — "predicted" for the model, "baseline" for the keyword rules) as Markdown."""
    matrix = confusion_matrix(r["gold"], r[predictions], labels=list(CATEGORIES))
    lines = ["| gold \\ predicted | " + " | ".join(CATEGORIES) + " |", "|---" * (len(CATEGORIES) + 1) + "|"]
    for name, counts in zip(CATEGORIES, matrix, strict=True):
        lines.append(f"| {name} | " + " | ".join(str(int(c)) for c in counts) + " |")
    return "\n".join(lines)


def per_class_f1(r: dict[str, Any], predictions: str = "predicted") -> str:
    """Gold-label F1 of each category for the model ("predicted") or the keyword rules ("baseline"), one line."""
    scores = f1_score(r["gold"], r[predictions], labels=list(CATEGORIES), average=None)
    return ", ".join(f"{name} {score:.2f}" for name, score in zip(CATEGORIES, scores, strict=True))


def main() -> None:
    """Print the metrics table and the confusion matrix."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labels-dir", type=Path, default=DEFAULT_LABELS_DIR)
    args = parser.parse_args()
    print("| metric | value | target | keyword baseline |")
    print("|---|---|---|---|")
    result = evaluate(args.labels_dir)
    for row in rows_from(result):
        target = "" if row["target"] is None else f"≥ {row['target']}"
        baseline = "" if row["baseline"] is None else row["baseline"]
        print(f"| {row['metric']} | {row['value']} | {target} | {baseline} |")
    print()
    print(f"model, gold labels (per-class F1: {per_class_f1(result)}):")
    print(confusion_table(result))
    print()
    print(f"keyword baseline, gold labels (per-class F1: {per_class_f1(result, 'baseline')}):")
    print(confusion_table(result, "baseline"))


if __name__ == "__main__":
    main()
