"""The leaderboard as the tracker shows it, read through ``reports.leaderboard``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crawler.store import Store
from reports import leaderboard


@dataclass(frozen=True)
class BoardRow:
    rank: int
    model: str
    score: str


@dataclass(frozen=True)
class Board:
    """The latest snapshot on or before the report date, with its own date and age."""

    snapshot_label: str
    stale_days: int
    top: tuple[BoardRow, ...]
    chinese: tuple[BoardRow, ...]


def _score(value: float) -> str:
    return str(round(value))


def _row(entry: leaderboard.Ranked) -> BoardRow:
    return BoardRow(rank=entry.rank, model=entry.model, score=_score(entry.score))


def load_board(store: Store, day: date) -> Board | None:
    """The board for a report of ``day``, or None when no snapshot is stored."""
    snapshot = leaderboard.latest_snapshot(store, day)
    if snapshot is None:
        return None
    labs = leaderboard.load_labs()
    return Board(
        snapshot_label=str(snapshot.date),
        stale_days=leaderboard.stale_days(snapshot, day),
        top=tuple(_row(e) for e in leaderboard.global_top(snapshot, n=5)),
        chinese=tuple(_row(e) for e in leaderboard.chinese_models(snapshot, labs)),
    )
