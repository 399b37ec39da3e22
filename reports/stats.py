"""Archive figures over a date range: articles per day, source and category, keyword trends, big clusters.

Every figure is one aggregation pipeline that starts with ``$match`` on ``published_at`` alone,
so the server reads the range from the ``published_at`` index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from crawler.dates import SHANGHAI
from crawler.export import date_range_query, day_start
from crawler.store import Store

UNCATEGORISED = "(none)"


@dataclass(frozen=True)
class Period:
    since: date
    until: date  # inclusive

    def query(self) -> dict[str, Any]:
        return date_range_query(self.since, self.until)

    def __str__(self) -> str:
        return f"{self.since}..{self.until}"


@dataclass(frozen=True)
class KeywordTrend:
    keyword: str
    first: int  # articles with the keyword in the first period
    second: int  # ... in the second

    @property
    def change(self) -> int:
        return self.second - self.first


@dataclass(frozen=True)
class ClusterSize:
    cluster_id: str
    articles: int
    sources: list[str]
    label: str
    first_published_at: datetime | None
    last_published_at: datetime | None


@dataclass(frozen=True)
class Stats:
    period: Period
    total: int
    per_day: list[tuple[str, int]]
    per_source: list[tuple[str, str, int]]  # source id, display name, articles
    per_category: list[tuple[str, int]]
    periods: tuple[Period, Period]
    keywords: list[KeywordTrend]
    clusters: list[ClusterSize]


def archive_period(store: Store, since: date | None, until: date | None) -> Period | None:
    """The range asked for, its open ends filled from the oldest/newest dated article; None for an empty archive."""
    if since is None:
        first = store.articles.find_one({"published_at": {"$ne": None}}, sort=[("published_at", 1)])
        if first is None:
            return None
        since = first["published_at"].astimezone(SHANGHAI).date()
    if until is None:
        last = store.articles.find_one({"published_at": {"$ne": None}}, sort=[("published_at", -1)])
        until = last["published_at"].astimezone(SHANGHAI).date() if last else since
    return Period(since, until)


def range_problem(period: Period, since: date | None, until: date | None) -> str | None:
    """Why ``period`` (``since``/``until`` as given, open ends filled from the archive) holds no day, if it does not."""
    if period.since <= period.until:
        return None
    if until is None:
        return f"--since {period.since} is after the archive's newest day {period.until} (the default --until)"
    if since is None:
        return f"--until {period.until} is before the archive's oldest day {period.since} (the default --since)"
    return f"--since {period.since} is after --until {period.until}"


def halves(period: Period) -> tuple[Period, Period]:
    """The first and second half of ``period`` (the middle day goes to the second half); a one-day period is
    compared with the day before it, the one trend a single day can have."""
    days = (period.until - period.since).days + 1
    if days < 2:
        return Period(period.since - timedelta(days=1), period.since - timedelta(days=1)), period
    middle = period.since + timedelta(days=days // 2)
    return Period(period.since, middle - timedelta(days=1)), Period(middle, period.until)


def per_day(store: Store, period: Period) -> list[tuple[str, int]]:
    """Articles per Asia/Shanghai day, every day of the period listed (zero included)."""
    pipeline = [
        {"$match": period.query()},
        {
            "$group": {
                "_id": {"$dateToString": {"format": "%Y-%m-%d", "date": "$published_at", "timezone": "+08:00"}},
                "n": {"$sum": 1},
            }
        },
    ]
    counts = {row["_id"]: row["n"] for row in store.articles.aggregate(pipeline)}
    days = (period.until - period.since).days + 1
    return [(d.isoformat(), counts.get(d.isoformat(), 0)) for d in (period.since + timedelta(n) for n in range(days))]


def per_source(store: Store, period: Period) -> list[tuple[str, str, int]]:
    pipeline = [
        {"$match": period.query()},
        {"$group": {"_id": "$source", "name": {"$first": "$source_name"}, "n": {"$sum": 1}}},
    ]
    rows = [(str(r["_id"]), str(r.get("name") or r["_id"]), int(r["n"])) for r in store.articles.aggregate(pipeline)]
    return sorted(rows, key=lambda r: (-r[2], r[0]))


def per_category(store: Store, period: Period) -> list[tuple[str, int]]:
    pipeline = [
        {"$match": period.query()},
        {"$group": {"_id": {"$ifNull": ["$category", UNCATEGORISED]}, "n": {"$sum": 1}}},
    ]
    rows = [(str(r["_id"]), int(r["n"])) for r in store.articles.aggregate(pipeline)]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def keyword_trends(store: Store, first: Period, second: Period, *, limit: int = 20) -> list[KeywordTrend]:
    """The most frequent ``keywords`` over both periods, with their article counts in each."""
    if _adjacent(first, second):  # one pipeline over both, split at the boundary
        boundary = day_start(second.since)
        pipeline: list[dict[str, Any]] = [
            {"$match": Period(first.since, second.until).query()},
            {"$unwind": "$keywords"},
            {
                "$group": {
                    "_id": "$keywords",
                    "first": {"$sum": {"$cond": [{"$lt": ["$published_at", boundary]}, 1, 0]}},
                    "total": {"$sum": 1},
                }
            },
        ]
        rows = [
            KeywordTrend(str(r["_id"]), int(r["first"]), int(r["total"]) - int(r["first"]))
            for r in store.articles.aggregate(pipeline)
        ]
    else:
        rows = _separate_counts(store, first, second)
    rows.sort(key=lambda k: (-(k.first + k.second), -k.second, k.keyword))
    return rows[:limit]


def largest_clusters(store: Store, period: Period, *, limit: int = 10) -> list[ClusterSize]:
    """Clusters with the most articles in the period, with their label from ``clusters``."""
    pipeline: list[dict[str, Any]] = [
        {"$match": period.query()},
        {
            "$group": {
                "_id": "$cluster_id",
                "n": {"$sum": 1},
                "sources": {"$addToSet": "$source"},
                "first": {"$min": "$published_at"},
                "last": {"$max": "$published_at"},
            }
        },
        {"$match": {"_id": {"$ne": None}}},
        {"$sort": {"n": -1, "_id": 1}},
        {"$limit": limit},
    ]
    rows = list(store.articles.aggregate(pipeline))
    labels = {
        c["_id"]: str(c.get("label") or "")
        for c in store.collection("clusters").find({"_id": {"$in": [r["_id"] for r in rows]}}, {"label": 1})
    }
    return [
        ClusterSize(str(r["_id"]), int(r["n"]), sorted(r["sources"]), labels.get(r["_id"], ""), r["first"], r["last"])
        for r in rows
    ]


def archive_stats(
    store: Store,
    period: Period,
    *,
    compare: tuple[Period, Period] | None = None,
    keywords: int = 20,
    clusters: int = 10,
) -> Stats:
    """Every figure of ``aidaily stats`` for ``period``; keyword trends over ``compare`` or its two halves."""
    days = per_day(store, period)
    periods = compare or halves(period)
    return Stats(
        period=period,
        total=sum(n for _, n in days),
        per_day=days,
        per_source=per_source(store, period),
        per_category=per_category(store, period),
        periods=periods,
        keywords=keyword_trends(store, *periods, limit=keywords),
        clusters=largest_clusters(store, period, limit=clusters),
    )


def stats_record(stats: Stats) -> dict[str, Any]:
    """``stats`` as JSON-ready data."""
    return {
        "since": stats.period.since.isoformat(),
        "until": stats.period.until.isoformat(),
        "articles": stats.total,
        "per_day": dict(stats.per_day),
        "per_source": [{"source": s, "source_name": name, "articles": n} for s, name, n in stats.per_source],
        "per_category": dict(stats.per_category),
        "keyword_periods": [{"since": p.since.isoformat(), "until": p.until.isoformat()} for p in stats.periods],
        "keywords": [
            {"keyword": k.keyword, "first": k.first, "second": k.second, "change": k.change} for k in stats.keywords
        ],
        "clusters": [
            {
                "cluster_id": c.cluster_id,
                "label": c.label,
                "articles": c.articles,
                "sources": c.sources,
                "first_published_at": _iso(c.first_published_at),
                "last_published_at": _iso(c.last_published_at),
            }
            for c in stats.clusters
        ],
    }


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal cells (a CJK character takes two)."""
    from rich.cells import cell_len  # the width table only, not rich's console

    return text + " " * max(width - cell_len(text), 0)


def _width(texts: Iterable[str], least: int) -> int:
    from rich.cells import cell_len

    return max([least, *(cell_len(t) for t in texts)])


def stats_lines(stats: Stats) -> list[str]:
    """``stats`` as a plain-text report, columns aligned by display width (中文 counts two cells)."""
    first, second = stats.periods
    lines = [f"{stats.total} articles, {stats.period}", "", "per day"]
    lines += [f"  {day}  {n:6d}" for day, n in stats.per_day]
    names = _width((name for _, name, _ in stats.per_source), 12)
    lines += ["", "per source"] + [f"  {pad(name, names)} {n:6d}  ({sid})" for sid, name, n in stats.per_source]
    cats = _width((cat for cat, _ in stats.per_category), 12)
    lines += ["", "per category"] + [f"  {pad(cat, cats)} {n:6d}" for cat, n in stats.per_category]
    lines += ["", f"top keywords   {first}  ->  {second}"]
    words = _width((k.keyword for k in stats.keywords), 16)
    lines += [f"  {pad(k.keyword, words)} {k.first:6d} -> {k.second:6d}  ({k.change:+d})" for k in stats.keywords]
    lines += ["", "largest clusters"]
    ids = _width((c.cluster_id for c in stats.clusters), 0)
    labels = _width((c.label or "-" for c in stats.clusters), 0)
    for c in stats.clusters:
        span = f"{_day(c.first_published_at)}..{_day(c.last_published_at)}"
        row = f"  {c.articles:4d}  {pad(c.cluster_id, ids)}  {pad(c.label or '-', labels)}  {span}  "
        lines.append(row + ", ".join(c.sources))
    return lines


def _adjacent(first: Period, second: Period) -> bool:
    """Whether ``first`` ends the day before ``second`` starts."""
    return first.until + timedelta(days=1) == second.since


def _separate_counts(store: Store, first: Period, second: Period) -> list[KeywordTrend]:
    counts: dict[str, list[int]] = {}
    for slot, period in enumerate((first, second)):
        pipeline: list[dict[str, Any]] = [
            {"$match": period.query()},
            {"$unwind": "$keywords"},
            {"$group": {"_id": "$keywords", "n": {"$sum": 1}}},
        ]
        for row in store.articles.aggregate(pipeline):
            counts.setdefault(str(row["_id"]), [0, 0])[slot] = int(row["n"])
    return [KeywordTrend(k, a, b) for k, (a, b) in counts.items()]


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).isoformat() if isinstance(value, datetime) else None


def _day(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).date().isoformat() if isinstance(value, datetime) else "?"
