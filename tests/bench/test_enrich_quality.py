"""The hand-labelled event truth of ``bench.enrich_quality``: its TSV reader and its match with the archive."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.enrich_quality import ARCHIVE, EVENT_TRUTH, event_articles, read_event_truth
from bench.feed_quality import _pairs, bcubed, feed_articles, feed_relevance_rows
from tests.shared_data import needs_shared, shared_path

HEADER = "date\tkey\ttitle\tevent\tnote\n"


def test_reads_rows_by_item_key(tmp_path: Path) -> None:
    path = tmp_path / "truth.tsv"
    path.write_text(HEADER + "2025-11-18\t2025-11-18-00\t通义千问\tqwen\tnote\n", encoding="utf-8")
    assert read_event_truth(path) == {"2025-11-18-00": ("通义千问", "qwen")}


@pytest.mark.parametrize(
    "row",
    [
        "2025-11-18\t2025-11-18-00\t通义千问\t\tno event\n",
        "2025-11-18\t2025-11-19-00\t通义千问\tqwen\tkey of another day\n",
        "2025-11-18\t2025-11-18-00\t通义千问\tqwen\n",
        "2025-11-18\t2025-11-18-00\t通义千问\tqwen\tnote\n" * 2,
    ],
)
def test_rejects_malformed_rows(tmp_path: Path, row: str) -> None:
    path = tmp_path / "truth.tsv"
    path.write_text(HEADER + row, encoding="utf-8")
    with pytest.raises(ValueError):
        read_event_truth(path)


@needs_shared("labels", "hubtoday-daily")
def test_shipped_truth_labels_every_item_of_its_days() -> None:
    assert shared_path("labels", "hubtoday-daily") == ARCHIVE  # the folder this test skips without
    truth = read_event_truth(EVENT_TRUTH)
    docs, events = event_articles(truth)
    assert [d["_id"] for d in docs] == sorted(truth)
    assert docs[0]["title"].startswith("阿里巴巴旗下的通义千问")
    sizes = Counter(events.values())
    assert sizes["gemini3-release"] == 10
    assert events["2025-11-18-12"] == events["2025-11-24-06"]  # the same repo, featured six days apart
    assert events["2025-11-20-08"] != events["2025-11-19-13"]  # Pichai's remark is not the Gemini 3 launch


def test_bcubed_of_singletons_against_one_pair() -> None:
    truth = {"a": "x", "b": "x", "c": "y"}
    precision, recall, _ = bcubed({"a": "a", "b": "b", "c": "c"}, truth)
    assert (precision, recall) == (1.0, pytest.approx(2 / 3))


@pytest.mark.parametrize("week", ["dev", "test"])
def test_gold_v2_is_what_both_feed_readers_joined(week: str) -> None:
    docs, gold = feed_articles(week)
    first, second = feed_articles(week, "event")[1], feed_articles(week, "event_b")[1]
    assert _pairs(gold) == _pairs(first) & _pairs(second) and len(docs) == len(gold)
    assert 100 < len(_pairs(gold)) < min(len(_pairs(first)), len(_pairs(second))) + 1


def test_feed_relevance_rows_sit_beside_always_ai() -> None:
    balanced, non_ai = feed_relevance_rows("dev")
    assert balanced["baseline"] == 0.5 and non_ai["baseline"] == 0.0 and non_ai["target"] == 0.9
    assert 0.5 < balanced["value"] <= 1.0 and "relevance " in balanced["note"]
