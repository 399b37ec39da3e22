"""The enrichment bench corpus has the structure it claims: real events covered by several sources, reposts."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest

from bench.corpus import ARCHIVE, MIN_REUSE_DAYS, event_corpus
from crawler.dates import SHANGHAI

pytestmark = pytest.mark.skipif(not ARCHIVE.is_dir(), reason="needs ../shared/labels/hubtoday-daily")


def test_events_are_covered_by_several_sources_and_never_meet_their_reuse() -> None:
    docs = event_corpus(6000)
    days_of: dict[int, set] = defaultdict(set)
    sources_of: dict[tuple[int, int], set[str]] = defaultdict(set)
    first_day: dict[int, list] = defaultdict(list)
    for doc in docs:
        day = doc["published_at"].astimezone(SHANGHAI).date()
        days_of[doc["seed"]].add(day)
    for seed, days in days_of.items():
        starts = sorted(days)
        # a seed's uses are runs of at most 4 days (coverage spreads 72 h), MIN_REUSE_DAYS apart
        uses = [d for i, d in enumerate(starts) if i == 0 or (d - starts[i - 1]).days > 3]
        first_day[seed] = uses
        assert all((b - a).days >= MIN_REUSE_DAYS for a, b in itertools.pairwise(uses)), seed
    for doc in docs:
        sources_of[(doc["seed"], first_day[doc["seed"]][0].toordinal())].add(doc["source"])
    multi = sum(1 for s in sources_of.values() if len(s) > 1)
    assert multi > len(sources_of) * 0.2  # many events are covered by more than one source
    per_day = defaultdict(int)
    for doc in docs:
        per_day[doc["published_at"].astimezone(SHANGHAI).date()] += 1
    full_days = sorted(per_day.values())[1:-1]  # the corpus's first and last days are partial
    assert max(full_days) > 1.5 * min(full_days)  # days of varying size
    copies = sum(1 for d in docs if d["url"].startswith("https://copy.example/"))
    assert 0.01 * len(docs) < copies < 0.04 * len(docs)
