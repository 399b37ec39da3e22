"""LM Arena score history (github.com/nakasyou/lmarena-history ``output/scores.json``) as a pure parser.

The file maps ``yyyymmdd`` -> arena (``text``, ``vision``, ...) -> category (``overall``, ...) ->
model -> Elo score. A score of 0.0 (or a missing model) means the model was not on the board.
"""

from __future__ import annotations

import json
import re

from crawler.items import LeaderboardSnapshotItem
from crawler.pages import ParseError

_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_scores(text: str, url: str) -> list[LeaderboardSnapshotItem]:
    """One snapshot per (date, arena/category), in date order, entries ranked by score."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError("not_json", f"{url}: {exc}") from exc
    if not isinstance(data, dict):
        raise ParseError("unexpected_shape", url)
    snapshots = []
    for day in sorted(data):
        m = _DAY.match(day)
        arenas = data[day]
        if not m or not isinstance(arenas, dict):
            continue  # keys other than dates (metadata) are not boards
        date = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
        for arena, categories in sorted(arenas.items()):
            if not isinstance(categories, dict):
                continue
            for category, scores in sorted(categories.items()):
                if isinstance(scores, dict):
                    snapshots.append(LeaderboardSnapshotItem(date, f"{arena}/{category}", ranked(scores), url))
    return snapshots


def ranked(scores: dict[str, object]) -> list[tuple[str, float, int]]:
    """Models on the board, best first, with competition ranks (equal scores share a rank)."""
    board = sorted(
        ((model, float(score)) for model, score in scores.items() if isinstance(score, int | float) and score > 0),
        key=lambda pair: (-pair[1], pair[0]),
    )
    entries: list[tuple[str, float, int]] = []
    for position, (model, score) in enumerate(board, 1):
        rank = entries[-1][2] if entries and entries[-1][1] == score else position
        entries.append((model, score, rank))
    return entries
