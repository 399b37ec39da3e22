"""Training and held-out sets for the category and relevance models, split by date (never by item)."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from enrich.labels import LabelledItem, parse_archive
from enrich.training.mapping import Keywords, load_keywords, map_heading

DEFAULT_LABELS_DIR = Path(__file__).resolve().parents[3] / "shared" / "labels" / "hubtoday-daily"
HELD_OUT_FRACTION = 0.2
# The category held-out days are the last 10% (20 days, 334 items): every one of them is hand-labelled in
# gold_heldout.tsv, which is what the category target is measured on.
CATEGORY_HELD_OUT_FRACTION = 0.1
SEED = 20260120
HAND_CHECK = Path(__file__).with_name("hand_check.tsv")
# Training-day items hand-labelled to give the rare 产业商业 class real labels (selection: see docs/CATEGORIES.md).
HAND_BUSINESS = Path(__file__).with_name("hand_business.tsv")
# 420 training-day items drawn at random (seed 20261125) and labelled by hand: the validation sample for model choice.
HAND_RANDOM = Path(__file__).with_name("hand_random.tsv")
# 160 training-day items near the 产业商业 decision boundary of a hand-label model (selection: docs/CATEGORIES.md);
# training only, never validation (biased by construction, like hand_business.tsv).
HAND_ACTIVE = Path(__file__).with_name("hand_active.tsv")
GOLD_HELD_OUT = Path(__file__).with_name("gold_heldout.tsv")
# Every training-day item read blind against GUIDELINE.md (docs/CATEGORIES.md, "Guideline labels"): the 609 random
# items by three readers (label = majority; the validation sample), the other 2,633 items by one reader.
GUIDELINE_RANDOM = Path(__file__).with_name("guideline_random.tsv")
GUIDELINE_REST = Path(__file__).with_name("guideline_rest.tsv")
GUIDELINE_FILES = (GUIDELINE_RANDOM, GUIDELINE_REST)
# The earlier single-reader hand files: superseded for training, kept so the 2.x recipes stay reproducible.
EARLIER_HAND_FILES = (HAND_CHECK, HAND_BUSINESS, HAND_RANDOM, HAND_ACTIVE)
HAND_LETTERS = {"T": "技术底座", "I": "行业动态", "B": "产业商业"}


@dataclass(frozen=True)
class Example:
    """One labelled text; `date` is empty for authored (undated) relevance items."""

    title: str
    body: str
    label: str
    date: str = ""
    source: str = "archive"

    def as_doc(self) -> dict[str, str]:
        """The document shape the public API takes."""
        return {"title": self.title, "body": self.body}


@dataclass(frozen=True)
class Split:
    """Examples for fitting and for the held-out measurement, with the date ranges they cover."""

    train: list[Example]
    held_out: list[Example]
    train_dates: tuple[str, str]
    held_out_dates: tuple[str, str]


def split_dates(dates: list[str], fraction: float = HELD_OUT_FRACTION) -> tuple[list[str], list[str]]:
    """Distinct dates split in time order: the last `fraction` of days are held out."""
    ordered = sorted(set(dates))
    cut = len(ordered) - max(1, round(len(ordered) * fraction))
    return ordered[:cut], ordered[cut:]


def _read_tsv(path: Path, column: str) -> dict[tuple[str, str], str]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {(row["date"], row["title"]): row[column] for row in rows}


def read_hand_labels(*paths: Path) -> dict[tuple[str, str], str]:
    """Hand labels keyed by (date, title), later files overriding earlier ones (default: the guideline labels)."""
    labels: dict[tuple[str, str], str] = {}
    for path in paths or GUIDELINE_FILES:
        labels |= _read_tsv(path, "hand_label")
    return labels


def read_gold(path: Path = GOLD_HELD_OUT, column: str = "label") -> dict[tuple[str, str], str]:
    """Gold labels of every held-out item: `label` is the majority of three blind readers, `first_reader` the
    original single reader's label (`reader_a`, `reader_b` the other two)."""
    return _read_tsv(path, column)


def category_label(
    item: LabelledItem, keywords: Keywords, hand: Sequence[tuple[str, dict[tuple[str, str], str]]]
) -> tuple[str, str]:
    """(label, provenance): the hand label where the item was read by hand (provenance = the file's stem, e.g.
    "hand_check"), else the weak mapping ("mapped")."""
    for provenance, labels in hand:
        if (item.date, item.title) in labels:
            return labels[(item.date, item.title)], provenance
    return map_heading(item.heading, item.text, keywords), "mapped"


def category_split(
    labels_dir: Path = DEFAULT_LABELS_DIR,
    fraction: float = CATEGORY_HELD_OUT_FRACTION,
    hand_files: Sequence[Path] = GUIDELINE_FILES,
) -> Split:
    """Category examples (refined labels: hand labels over the keyword-refined mapping), split by date.

    Held-out examples keep the refined label too (the secondary, weak measurement); `gold_held_out` gives the
    same items with their gold labels."""
    items = parse_archive(labels_dir).items
    keywords = load_keywords()
    hand = [(path.stem, read_hand_labels(path)) for path in hand_files]
    train_dates, held_dates = split_dates([item.date for item in items], fraction)
    held = set(held_dates)
    train: list[Example] = []
    held_out: list[Example] = []
    for item in items:
        label, provenance = category_label(item, keywords, hand)
        example = Example(item.title, item.body, label, item.date, provenance)
        (held_out if item.date in held else train).append(example)
    return Split(train, held_out, (train_dates[0], train_dates[-1]), (held_dates[0], held_dates[-1]))


def gold_held_out(split: Split, gold: dict[tuple[str, str], str] | None = None) -> list[Example]:
    """The held-out examples relabelled with their gold labels; every held-out item must have one."""
    gold = read_gold() if gold is None else gold
    missing = [(e.date, e.title) for e in split.held_out if (e.date, e.title) not in gold]
    if missing:
        raise ValueError(f"{len(missing)} held-out items have no gold label, e.g. {missing[0]}")
    return [Example(e.title, e.body, gold[(e.date, e.title)], e.date, "gold") for e in split.held_out]


def _authored(name: str) -> list[Example]:
    text = resources.files("enrich.data").joinpath(name).read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [Example(r["title"], r["body"], "ai" if r["is_ai"] else "not_ai", "", name) for r in rows]


def relevance_split(labels_dir: Path = DEFAULT_LABELS_DIR) -> Split:
    """Relevance examples: archive items are AI (split by date); authored negatives and hard positives are
    split 80/20 by a seeded shuffle (they have no dates)."""
    # Relevance keeps its own 20% date split (its artifact and numbers are not part of the category work).
    category = category_split(labels_dir, HELD_OUT_FRACTION)
    as_ai = [Example(e.title, e.body, "ai", e.date) for e in category.train]
    held_ai = [Example(e.title, e.body, "ai", e.date) for e in category.held_out]
    train, held_out = list(as_ai), list(held_ai)
    for name in ("relevance_negatives.jsonl", "relevance_hard_positives.jsonl"):
        authored = _authored(name)
        random.Random(SEED).shuffle(authored)
        cut = len(authored) - round(len(authored) * HELD_OUT_FRACTION)
        train.extend(authored[:cut])
        held_out.extend(authored[cut:])
    return Split(train, held_out, category.train_dates, category.held_out_dates)
