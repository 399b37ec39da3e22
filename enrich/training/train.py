"""Retrain the category and relevance models and write them to enrich/models/ (python -m enrich.training.train).

Category: `enrich.training.category` (recipe "guideline+words" shipped, the earlier ones kept; `--recipe`),
labels = guideline labels (hand labels and the heading mapping for the 2.x recipes). Choices are made by
date-grouped cross-validation on the training days; the gold held-out set (gold_heldout.tsv) is only read for the
final measurement stored in the metadata and by bench/quality_category.py.

Deterministic: the split is by date, the authored sets are shuffled with a fixed seed, and liblinear-free
solvers (lbfgs) are used, so the same data gives the same artifacts. The shipped models are fitted on the
training dates only, so the held-out numbers in their metadata (and in bench/quality_category.py) stay honest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

from enrich.models import artifact_path, char_ngrams, normalize_for_model
from enrich.relevance import RelevanceModel
from enrich.training.category import DEFAULT_RECIPE, RECIPES, train_category
from enrich.training.dataset import DEFAULT_LABELS_DIR
from enrich.training.relevance import train_relevance_model

NGRAM_RANGE = (1, 3)
MAX_BODY_CHARS = 400
MAX_FEATURES = 40000
MODEL_VERSION_PREFIX = "1"


def _char_analyzer(text: str) -> list[str]:
    return char_ngrams(normalize_for_model(text), *NGRAM_RANGE)


def train_relevance(labels_dir: Path, version: str) -> RelevanceModel:
    """Fit the relevance model (n-grams + lexicon; ``enrich.training.relevance``) and tune its prior on dev feeds."""
    return train_relevance_model(labels_dir, version, _char_analyzer, ngram_range=NGRAM_RANGE,
                                 max_body_chars=MAX_BODY_CHARS, max_features=MAX_FEATURES)  # fmt: skip


def save_relevance(model: RelevanceModel, path: Path) -> None:
    """Write the relevance artifact as compact JSON, and its metadata alone beside it."""
    document = model.to_json()
    path.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    meta_path = path.with_name(f"{path.stem}.meta.json")
    meta_path.write_text(json.dumps(document["meta"], ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    """Retrain both models and write the artifacts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labels-dir", type=Path, default=DEFAULT_LABELS_DIR)
    parser.add_argument("--version", default=f"{MODEL_VERSION_PREFIX}.{dt.date.today():%Y%m%d}")
    parser.add_argument("--model", choices=("all", "category", "relevance"), default="all")
    parser.add_argument("--recipe", choices=sorted(RECIPES), default=DEFAULT_RECIPE, help="category recipe")
    args = parser.parse_args(argv)
    if args.model in ("all", "category"):
        path = train_category(args.labels_dir, args.version, args.recipe)
        print(f"category -> {path} ({path.stat().st_size / 1024:.0f} KiB)")
    if args.model in ("all", "relevance"):
        model = train_relevance(args.labels_dir, args.version)
        path = artifact_path("relevance")
        save_relevance(model, path)
        size_kb = path.stat().st_size / 1024
        print(f"relevance {model.version}: held out {model.meta['held_out']}, prior {model.meta['prior_tuned_on']} "
              f"-> {path} ({size_kb:.0f} KiB)")  # fmt: skip


if __name__ == "__main__":
    main()
