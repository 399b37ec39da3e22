"""The LM Arena score-history parser."""

from __future__ import annotations

import json

import pytest

from crawler.pages import ParseError
from crawler.pages.lmarena import parse_scores, ranked

URL = "https://raw.githubusercontent.com/nakasyou/lmarena-history/main/output/scores.json"


def test_one_ranked_snapshot_per_date_and_category_without_absent_models() -> None:
    data = {
        "20250102": {"text": {"overall": {"b": 1300.5, "a": 1310.0, "gone": 0.0}, "coding": {"a": 1290.0}}},
        "20250101": {"text": {"overall": {"a": 1305.0, "c": 1305.0, "b": 1200.0}}},
        "meta": {"updated": "2025-01-02"},
    }
    snapshots = parse_scores(json.dumps(data), URL)
    assert [(s.date, s.category) for s in snapshots] == [
        ("2025-01-01", "text/overall"),
        ("2025-01-02", "text/coding"),
        ("2025-01-02", "text/overall"),
    ]
    assert snapshots[0].entries == [("a", 1305.0, 1), ("c", 1305.0, 1), ("b", 1200.0, 3)]  # ties share a rank
    assert snapshots[2].entries == [("a", 1310.0, 1), ("b", 1300.5, 2)]
    assert snapshots[2].source_url == URL


def test_ranked_ignores_zero_and_non_numbers() -> None:
    assert ranked({"x": 0.0, "y": None, "z": 1000}) == [("z", 1000.0, 1)]


@pytest.mark.parametrize("text", ["<html>rate limited</html>", "[1, 2]"])
def test_anything_but_the_score_object_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_scores(text, URL)
