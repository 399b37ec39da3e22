"""The LM Arena leaderboard as reports read it: the latest snapshot, the global top, Chinese models."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from crawler.store import Store

COLLECTION = "leaderboard"
DEFAULT_CATEGORY = "text/overall"
LABS_FILE = Path(__file__).with_name("data") / "chinese_labs.toml"


class Ranked(NamedTuple):
    """A model's place on the whole board: ``(rank, model, score)``."""

    rank: int
    model: str
    score: float


@dataclass(frozen=True)
class Snapshot:
    """One day's board in one category, best first."""

    date: date
    category: str
    entries: tuple[Ranked, ...]
    source_url: str = ""


@dataclass(frozen=True)
class Lab:
    """A Chinese AI lab and the names its models start with (see ``reports/data/chinese_labs.toml``)."""

    name: str
    prefixes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        alternatives = [re.escape(p) for p in self.prefixes] + [rf"{re.escape(w)}(?![a-z])" for w in self.words]
        return re.compile("|".join(alternatives) or r"(?!)")

    def owns(self, model: str) -> bool:
        """Whether ``model`` (an arena model name) is one of this lab's."""
        return bool(self.pattern.match(model.lower()))


def latest_snapshot(store: Store, on_or_before: date, category: str = DEFAULT_CATEGORY) -> Snapshot | None:
    """The newest stored snapshot of ``category`` dated ``on_or_before`` or earlier, or None."""
    doc = store.collection(COLLECTION).find_one(
        {"category": category, "date": {"$lte": on_or_before.isoformat()}}, sort=[("date", -1)]
    )
    return snapshot_from_document(doc) if doc else None


def snapshot_from_document(doc: dict[str, Any]) -> Snapshot:
    """A stored ``leaderboard`` document as a Snapshot."""
    entries = sorted(
        (Ranked(int(e["rank"]), str(e["model"]), float(e["score"])) for e in doc.get("entries", [])),
        key=lambda r: (r.rank, -r.score, r.model),
    )
    return Snapshot(date.fromisoformat(doc["date"]), doc["category"], tuple(entries), doc.get("source_url", ""))


def global_top(snapshot: Snapshot, n: int = 5) -> list[Ranked]:
    """The ``n`` best models of the board."""
    return list(snapshot.entries[:n])


def chinese_models(snapshot: Snapshot, labs: list[Lab], n: int = 10) -> list[Ranked]:
    """The ``n`` best models from Chinese labs, with their rank on the whole board."""
    return [entry for entry in snapshot.entries if lab_of(entry.model, labs)][:n]


def lab_of(model: str, labs: list[Lab]) -> Lab | None:
    """The lab a model name belongs to, or None."""
    return next((lab for lab in labs if lab.owns(model)), None)


def stale_days(snapshot: Snapshot, report_date: date) -> int:
    """How many days the board is older than the report (0: same day)."""
    return max((report_date - snapshot.date).days, 0)


def load_labs(path: Path = LABS_FILE) -> list[Lab]:
    """The Chinese labs listed in ``reports/data/chinese_labs.toml`` (or ``path``)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Lab(
            str(entry["name"]),
            tuple(str(p).lower() for p in entry.get("prefixes", [])),
            tuple(str(w).lower() for w in entry.get("words", [])),
        )
        for entry in data.get("lab", [])
    ]
