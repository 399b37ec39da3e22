"""A story names its other sources, and the day it was first reported when that is before the report's day."""

from __future__ import annotations

from datetime import date, datetime

from crawler.dates import SHANGHAI
from reports.blocks import Link, Text
from reports.common import other_sources
from reports.model import build_day


def _doc(doc_id: str, source: str, day: int) -> dict[str, object]:
    return {"_id": doc_id, "url": f"https://{source}.example/{doc_id}", "source": source, "title": "千问开放平台上线",
            "published_at": datetime(2026, 8, day, 10, 0, tzinfo=SHANGHAI), "cluster_id": "cq1"}  # fmt: skip


def test_one_entry_per_event_with_other_sources_and_the_first_day() -> None:
    cluster = {"_id": "cq1", "representative": "q1", "first_published_at": datetime(2026, 8, 9, 9, 0, tzinfo=SHANGHAI)}
    day = build_day(date(2026, 8, 10), [_doc("q1", "36kr", 10), _doc("q2", "readhub", 10)], {"cq1": cluster})
    assert len(day.stories) == 1 and day.stories[0].lead.id == "q1"
    line = other_sources(day.stories[0])
    assert Link("readhub", "https://readhub.example/q2") in line
    assert Text("；持续报道，首见于 2026-08-09") in line
    same_day = build_day(date(2026, 8, 9), [_doc("q1", "36kr", 9)], {"cq1": cluster})
    assert other_sources(same_day.stories[0]) == ()
