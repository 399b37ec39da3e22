"""Keyword search over the stored jieba tokens: query building, TF-IDF ranking, duplicate folding.

How one search runs, and why (SecantusDB, the embedded default, plans an index only when every
predicate of a query is on that index's fields, and ``{"tokens": {"$all": [...]}}`` is always a
collection scan there; ``hint()`` works but walks the whole index):

1. The server query is ``{"tokens": <rarest term>, "published_at": <range>}`` (index
   ``tokens_published_at``), or ``{"cluster_id": ..., "published_at": ...}`` with ``--cluster``
   (index ``cluster_published_at``): an equality and a range, which both planners serve from the
   index. The rarest term comes from the ``term_df`` table (see ``enrich.termdf``).
2. Every other condition — the remaining terms (the ``$all``), sources, category, quoted phrases
   on the body — is checked here on the fetched candidates.
3. Candidates are ranked by TF-IDF, then recency; duplicates fold under their canonical copy.

SecantusDB reads every index entry of the range before it applies ``limit`` (or ``sort``), so
the only way to bound a search's cost is to bound its date range. When the rarest term is in
more than ``max_candidates`` articles, search walks back from the newest day in date windows
sized from the term's frequency, newest first, and stops once it holds ``max_candidates``
candidates (``SearchResult.truncated``): a common word is ranked among its most recent
articles. Dates or a rarer word widen what is ranked. Undated articles are only found by
searches whose rarest term is under the cap and that have no date filter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from crawler.dates import SHANGHAI
from crawler.export import date_range_query, day_start
from crawler.store import Store
from enrich.termdf import term_table

TITLE_WEIGHT = 3.0  # a word in the title says more about the story than one in the body
LENGTH_PIVOT = 0.25  # how much a long body is discounted (0: not at all, 1: fully by length)
MAX_CANDIDATES = 300
CANDIDATE_FIELDS: tuple[str, ...] = (
    "url",
    "source",
    "source_name",
    "kind",
    "title",
    "body",
    "tokens",
    "published_at",
    "duplicate_of",
    "cluster_id",
    "category",
)
_PROJECTION = dict.fromkeys(CANDIDATE_FIELDS, 1)
# Quoted phrases: ASCII quotes, Chinese curly quotes, corner brackets.
_PHRASE = re.compile(r'"([^"]+)"|“([^”]+)”|「([^」]+)」')


class QueryError(ValueError):
    """The query cannot be searched; the message says why, in one line."""


@dataclass(frozen=True)
class SearchQuery:
    """What to find: every term must be among an article's tokens, every phrase in its title or body."""

    terms: tuple[str, ...]
    phrases: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    sources: tuple[str, ...] = ()
    category: str | None = None
    cluster: str | None = None
    limit: int = 20


@dataclass
class Story:
    """One ranked article and the duplicates folded under it (other sources carrying the same text)."""

    doc: dict[str, Any]
    score: float
    duplicates: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SearchResult:
    stories: list[Story]
    candidates: int  # articles fetched from the server
    matches: int  # of those, the ones that met every condition
    truncated: bool  # the candidate cap was reached: older matches were not ranked


def parse_query(text: str, tokenize: Callable[[str], list[str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Terms and quoted phrases of ``text``; a phrase's own tokens are required terms too, to use the index."""
    if not text.strip():
        raise QueryError("the search query is empty")
    phrases = [next(g for g in m.groups() if g).strip() for m in _PHRASE.finditer(text)]
    phrases = [p for p in phrases if p]
    rest = _PHRASE.sub(" ", text)
    terms = list(dict.fromkeys([*tokenize(rest), *(t for p in phrases for t in tokenize(p))]))
    if not terms:
        raise QueryError(f"no searchable words in {text.strip()!r} (stop words and single characters are not indexed)")
    return tuple(terms), tuple(dict.fromkeys(phrases))


def candidate_filter(query: SearchQuery, anchor: str) -> dict[str, Any]:
    """The server-side filter: one index equality plus the date range, nothing the index cannot serve."""
    dates = date_range_query(query.since, query.until)
    if query.cluster is not None:
        return {"cluster_id": query.cluster, **dates}
    return {"tokens": anchor, **dates}


def anchor_term(terms: Sequence[str], df: Mapping[str, int]) -> str:
    """The term with the fewest articles: the cheapest one to scan the index for."""
    return min(terms, key=lambda t: (df.get(t, 0), terms.index(t)))


def matches(doc: Mapping[str, Any], query: SearchQuery) -> bool:
    """Whether a candidate meets every condition of ``query`` (the ``$all`` of terms included)."""
    tokens = set(doc.get("tokens") or ())
    if not all(t in tokens for t in query.terms):
        return False
    if query.sources and doc.get("source") not in query.sources:
        return False
    if query.category is not None and doc.get("category") != query.category:
        return False
    if query.cluster is not None and doc.get("cluster_id") != query.cluster:
        return False
    if query.phrases:
        text = _text(doc).lower()
        return all(p.lower() in text for p in query.phrases)
    return True


def idf(df: int, total: int) -> float:
    """Smoothed inverse document frequency (as scikit-learn's ``smooth_idf``)."""
    return math.log((1 + total) / (1 + df)) + 1.0


def score(doc: Mapping[str, Any], terms: Sequence[str], weights: Mapping[str, float], avg_length: float) -> float:
    """TF-IDF relevance: log-scaled term counts (title counted ``TITLE_WEIGHT`` times) over a pivoted length."""
    title = str(doc.get("title") or "").lower()
    body = str(doc.get("body") or "").lower()
    total = 0.0
    for term in terms:
        # Counting the term in the text stands in for its token count: stored tokens are distinct.
        tf = max(1.0, body.count(term) + TITLE_WEIGHT * title.count(term))
        total += (1.0 + math.log(tf)) * weights.get(term, 1.0)
    length = len(body) or 1
    return total / ((1.0 - LENGTH_PIVOT) + LENGTH_PIVOT * length / max(avg_length, 1.0))


def rank(
    docs: Sequence[dict[str, Any]], terms: Sequence[str], df: Mapping[str, int], total: int
) -> list[tuple[float, dict[str, Any]]]:
    """Documents with their scores, best first; equal scores go to the more recent article."""
    weights = {t: idf(df.get(t, 0), total) for t in terms}
    avg = sum(len(str(d.get("body") or "")) for d in docs) / len(docs) if docs else 1.0
    scored = [(round(score(d, terms, weights, avg), 6), d) for d in docs]
    scored.sort(key=lambda pair: (-pair[0], -_timestamp(pair[1]), str(pair[1]["_id"])))
    return scored


def fold_duplicates(ranked: Iterable[tuple[float, dict[str, Any]]]) -> list[Story]:
    """One story per canonical copy: a duplicate joins its canonical copy when that also matched.

    Stories keep the order of their best-ranked article; the duplicates under one are oldest first.
    """
    ranked = list(ranked)
    present = {d["_id"] for _, d in ranked}
    stories: dict[str, Story] = {}
    for value, doc in ranked:
        stories.setdefault(_story_key(doc, present), Story(doc={}, score=value))
    for value, doc in ranked:
        key = _story_key(doc, present)
        story = stories[key]
        if doc["_id"] == key:
            story.doc = doc
        else:
            story.duplicates.append(doc)
        story.score = max(story.score, value)
    for story in stories.values():
        story.duplicates.sort(key=lambda d: (_timestamp(d), str(d["_id"])))
    return list(stories.values())


def search(store: Store, query: SearchQuery, *, max_candidates: int = MAX_CANDIDATES) -> SearchResult:
    """The ranked stories for ``query``: indexed server queries, the rest decided here."""
    df, meta = term_table(store, query.terms)
    anchor = anchor_term(query.terms, df)
    fetched: list[dict[str, Any]] = []
    truncated = False
    windows = DateWindows(query, df.get(anchor, 0), meta, max_candidates)
    for window in windows:
        batch = list(store.articles.find({**candidate_filter(query, anchor), **window}, projection=_PROJECTION))
        fetched += batch
        if len(fetched) >= max_candidates:
            truncated = len(fetched) > max_candidates or not windows.done
            break
        windows.observe(len(batch))
    fetched.sort(key=lambda d: (-_timestamp(d), str(d["_id"])))
    fetched = fetched[:max_candidates]
    found = [d for d in fetched if matches(d, query)]
    stories = fold_duplicates(rank(found, query.terms, df, int(meta["articles"])))
    return SearchResult(stories[: query.limit], candidates=len(fetched), matches=len(found), truncated=truncated)


class DateWindows:
    """``published_at`` filters to fetch candidates with, newest first (iterate; ``observe`` each result).

    One filter, the query's own range, when the anchor term or the cluster is small enough to
    fetch whole. Else windows walking back from the newest day: the first sized from the term's
    average rate to hold about ``max_candidates``, each next one from the rate seen so far to hold
    what is still missing, the last one reaching to the start of the range (open-ended without
    ``since``).
    """

    def __init__(self, query: SearchQuery, anchor_df: int, meta: Mapping[str, Any], max_candidates: int) -> None:
        self.query = query
        self.max_candidates = max_candidates
        first, last = meta.get("first_published_at"), meta.get("last_published_at")
        self.whole = query.cluster is not None or anchor_df <= max_candidates or first is None or last is None
        self.oldest: datetime = first or datetime.min.replace(tzinfo=SHANGHAI)
        self.floor = day_start(query.since) if query.since else None
        self.upper = day_start(query.until + timedelta(days=1)) if query.until else None
        newest: datetime = last or self.oldest
        self.start = min(self.upper, newest) if self.upper else newest
        per_second = anchor_df / max((newest - self.oldest).total_seconds(), 86400.0)
        self.span = timedelta(seconds=max_candidates / max(per_second, 1e-9))
        self.covered = timedelta(0)
        self.seen = 0
        self.done = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self.whole:
            self.done = True
            yield date_range_query(self.query.since, self.query.until)
            return
        while not self.done:
            lower = self.start - self.span
            if (self.floor is not None and lower <= self.floor) or lower < self.oldest:
                self.done = True
                yield _range(self.floor, self.upper)  # the rest of the range at once
                return
            window = _range(lower, self.upper)
            self.covered += self.span  # before the yield: ``observe`` runs while this generator waits there
            self.upper = self.start = lower
            yield window

    def observe(self, fetched: int) -> None:
        """Size the next window from the articles the last one held."""
        self.seen += fetched
        missing = self.max_candidates - self.seen
        if self.seen == 0 or missing <= 0:
            self.span *= 2
            return
        per_second = self.seen / max(self.covered.total_seconds(), 1.0)
        self.span = timedelta(seconds=missing / per_second * 1.1)


def search_plan(store: Store, query: SearchQuery) -> str:
    """The winning plan of the first server query ``search`` sends, as its stages: ``FETCH < IXSCAN(name)``."""
    df, meta = term_table(store, query.terms)
    anchor = anchor_term(query.terms, df)
    window = next(iter(DateWindows(query, df.get(anchor, 0), meta, MAX_CANDIDATES)))
    explained = store.articles.find({**candidate_filter(query, anchor), **window}, projection=_PROJECTION).explain()
    return plan_stages(explained["queryPlanner"]["winningPlan"])


def _range(lower: datetime | None, upper: datetime | None) -> dict[str, Any]:
    bounds = {k: v for k, v in (("$gte", lower), ("$lt", upper)) if v is not None}
    return {"published_at": bounds} if bounds else {}


def plan_stages(plan: Mapping[str, Any]) -> str:
    """A plan tree as one line, outermost stage first."""
    stages = []
    node: Mapping[str, Any] | None = plan
    while node:
        name = str(node.get("stage"))
        stages.append(f"{name}({node['indexName']})" if "indexName" in node else name)
        node = node.get("inputStage")
    return " < ".join(stages)


def unknown_sources(store: Store, sources: Iterable[str], known: Iterable[str]) -> list[str]:
    """The sources that are neither ``known`` (built-in or configured) nor on any stored article."""
    names = set(known)
    return [
        s
        for s in dict.fromkeys(sources)
        if s not in names and store.articles.find_one({"source": s}, projection={"_id": 1}) is None
    ]


def story_record(story: Story) -> dict[str, Any]:
    """A story as plain JSON-ready data: the article, its score, and its folded duplicates."""
    doc = story.doc
    return {
        "id": doc["_id"],
        "score": story.score,
        "published_at": _iso(doc.get("published_at")),
        "source": doc.get("source"),
        "source_name": doc.get("source_name"),
        "title": doc.get("title"),
        "url": doc.get("url"),
        "category": doc.get("category"),
        "cluster_id": doc.get("cluster_id"),
        "duplicates": [
            {
                "id": d["_id"],
                "source": d.get("source"),
                "source_name": d.get("source_name"),
                "url": d.get("url"),
                "published_at": _iso(d.get("published_at")),
            }
            for d in story.duplicates
        ],
    }


def story_line(story: Story) -> str:
    """One line: score, time, source, title, id, and the other sources folded under it."""
    doc = story.doc
    when = doc.get("published_at")
    stamp = when.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if isinstance(when, datetime) else "(no date)       "
    source = doc.get("source_name") or doc.get("source")
    line = f"{story.score:6.2f}  {stamp}  {source}  {doc.get('title')}  [{doc['_id']}]"
    if story.duplicates:
        names = list(dict.fromkeys(str(d.get("source_name") or d.get("source")) for d in story.duplicates))
        count = len(story.duplicates)
        line += f"  +{count} source{'s' if count > 1 else ''}: {', '.join(names)}"
    return line


def _iso(value: Any) -> str | None:
    return value.astimezone(SHANGHAI).isoformat() if isinstance(value, datetime) else None


def _story_key(doc: Mapping[str, Any], present: set[str]) -> str:
    canonical = doc.get("duplicate_of")
    return str(canonical) if canonical in present else str(doc["_id"])


def _text(doc: Mapping[str, Any]) -> str:
    return f"{doc.get('title') or ''}\n{doc.get('body') or ''}"


def _timestamp(doc: Mapping[str, Any]) -> float:
    value = doc.get("published_at")
    return value.timestamp() if isinstance(value, datetime) else 0.0
