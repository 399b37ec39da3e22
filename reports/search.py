"""Keyword search over the whole archive: every article holding all the words is ranked, none left out.

The words are looked up in the search index (``enrich.searchstore``: postings in MongoDB, read by
``_id`` only, so no backend's planner limits apply and no candidate cap is needed). For each segment
the articles holding every term are intersected, filtered (dates, sources, category, cluster,
phrases by word positions) and scored, all with numpy; then only the stories shown are read from
``articles``.

Ranking: TF-IDF — for each term ``(1 + ln tf) * idf``, where ``tf`` counts the term's occurrences
(a title occurrence ``TITLE_WEIGHT`` times) and ``idf = ln((1 + N) / (1 + df)) + 1`` over the N
indexed articles — divided by a pivoted length ``(1 - LENGTH_PIVOT) + LENGTH_PIVOT * length / average``
(body characters, the average over the archive); equal scores go to the more recent article, then
the smaller id. Duplicates fold under their canonical copy when that matched too. A quoted phrase
matches where its words stand one after another as the tokenizer cut the article (spaces aside).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from crawler.dates import SHANGHAI
from crawler.export import day_start
from crawler.store import Store
from enrich.searchindex import UNDATED, id64, millis, term_positions, term_postings
from enrich.searchstore import IndexConflict, Loaded, catch_up, load, read_meta
from enrich.tokens import TokenizerKit
from reports.query import QueryError as QueryError  # re-exported: the query's parsing lives in reports.query
from reports.query import parse_query as parse_query

LENGTH_PIVOT = 0.25  # how much a long body is discounted (0: not at all, 1: fully by length)
CANDIDATE_FIELDS: tuple[str, ...] = (
    "url",
    "source",
    "source_name",
    "kind",
    "title",
    "body",
    "published_at",
    "duplicate_of",
    "cluster_id",
    "category",
)
_PROJECTION = dict.fromkeys(CANDIDATE_FIELDS, 1)


# Quoted phrases: ASCII quotes, Chinese curly quotes, corner brackets.
@dataclass(frozen=True)
class SearchQuery:
    """What to find: every term among an article's tokens, every phrase's words in a row."""

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
    """One ranked article, the duplicates folded under it (other sources carrying the same text) and the other
    matching reports of its event (its cluster's members, written by other hands)."""

    doc: dict[str, Any]
    score: float
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SearchResult:
    stories: list[Story]
    matches: int  # articles that met every condition, all of them ranked


def phrase_pattern(kit: TokenizerKit, phrase: str) -> list[tuple[str, int]]:
    """The indexed words of a phrase with their offsets in it (other words, stop words say, match any word)."""
    words = [w for w in kit.cut(phrase) if not w.isspace()]
    return [(w, i) for i, w in enumerate(words) if kit.vocabulary[w]]


def idf(df: int, total: int) -> float:
    """Smoothed inverse document frequency (as scikit-learn's ``smooth_idf``)."""
    return math.log((1 + total) / (1 + df)) + 1.0


@lru_cache(maxsize=1)
def _log_tf() -> np.ndarray:
    # 1 + ln(tf) for every stored tf, computed with math.log so scores equal a plain-Python computation.
    return np.array([0.0] + [1.0 + math.log(n) for n in range(1, 65536)], dtype=np.float64)


@dataclass
class _Hits:
    """The matching articles of one segment: ordinals and scores."""

    segment: int
    ords: np.ndarray
    scores: np.ndarray


def search(store: Store, query: SearchQuery, *, kit: TokenizerKit) -> SearchResult:
    """The ranked stories for ``query``: every matching article scored, the top ``limit`` stories read."""
    meta = catch_up(store, kit)
    for attempt in range(3):
        try:
            loaded = load(store, meta, query.terms)
            return _answer(store, query, kit, loaded)
        except IndexConflict:
            if attempt == 2:
                raise
            meta = read_meta(store) or catch_up(store, kit)
    raise AssertionError("unreachable")


def ranked(store: Store, query: SearchQuery, *, kit: TokenizerKit) -> list[tuple[str, float]]:
    """Every matching article as ``(id, score)``, best first: the full ranking ``search`` folds and cuts."""
    loaded = load(store, catch_up(store, kit), query.terms)
    hits = _hits(store, query, kit, loaded)
    order, score, _, seg, ords = _order(loaded, hits)
    ids = [loaded.columns[seg[i]].ids[ords[i]] for i in order]
    return [(ids[n], float(score[i])) for n, i in enumerate(order)]


def _answer(store: Store, query: SearchQuery, kit: TokenizerKit, loaded: Loaded) -> SearchResult:
    hits = _hits(store, query, kit, loaded)
    order, score, ts, seg, ords = _order(loaded, hits)
    if not len(order):
        return SearchResult([], 0)
    keys = np.concatenate([loaded.columns[h.segment].id64[h.ords] for h in hits])
    dups = np.concatenate([loaded.columns[h.segment].dup64[h.ords] for h in hits])
    story = np.where((dups != 0) & np.isin(dups, keys), dups, keys)
    ranked_story = story[order]
    _, first = np.unique(ranked_story, return_index=True)
    heads_in_order = ranked_story[np.sort(first)]
    name_of = _namer(loaded, keys, seg, ords)
    if query.cluster is None:  # one event, one story; a --cluster query lists that event's articles
        heads, event = _event_heads(store, heads_in_order, keys, name_of, query.limit)
    else:
        heads, event = heads_in_order[: query.limit], {}
    members = np.flatnonzero(np.isin(story, heads) | np.isin(keys, np.fromiter(event, np.int64, len(event))))
    names = {int(i): loaded.columns[seg[i]].ids[ords[i]] for i in members}
    docs = {d["_id"]: d for d in store.articles.find({"_id": {"$in": list(names.values())}}, projection=_PROJECTION)}
    by_time = {int(i): (int(ts[i]), names[int(i)]) for i in members}
    stories = []
    for head in heads.tolist():
        group = [int(i) for i in members if story[i] == head]
        reports = sorted(
            (int(i) for i in members if event.get(int(story[i])) == head and story[i] != head and keys[i] == story[i]),
            key=by_time.__getitem__,
        )
        best = max(float(score[i]) for i in group)
        lead = next((i for i in group if keys[i] == head), group[0])
        rest = sorted((i for i in group if i != lead), key=by_time.__getitem__)
        if names[lead] not in docs:
            continue  # removed from the articles since it was indexed: nothing to show
        shown = [docs[names[i]] for i in rest if names[i] in docs]
        stories.append(Story(docs[names[lead]], best, shown, [docs[names[i]] for i in reports if names[i] in docs]))
    return SearchResult(stories, len(order))


def _namer(loaded: Loaded, keys: np.ndarray, seg: np.ndarray, ords: np.ndarray) -> Callable[[int], str]:
    """The article id of a hit's 64-bit key (one sort of the keys, not a dict of every hit)."""
    sorter = np.argsort(keys, kind="stable")

    def name_of(key: int) -> str:
        i = int(sorter[np.searchsorted(keys, key, sorter=sorter)])
        return loaded.columns[seg[i]].ids[ords[i]]

    return name_of


def _event_heads(
    store: Store, heads: np.ndarray, keys: np.ndarray, name_of: Callable[[int], str], limit: int
) -> tuple[np.ndarray, dict[int, int]]:
    """The first ``limit`` story heads of distinct events, in rank order, and every other matching story head of
    those events mapped to the head it folds under.

    Events are read at query time (clusters grow as later days are enriched), a chunk of heads at a time, so a
    search reads the cluster of about as many articles as it shows.
    """
    chosen: list[int] = []
    cluster_head: dict[str, int] = {}
    chunk = max(2 * limit, 50)
    for start in range(0, len(heads), chunk):
        part = [int(k) for k in heads[start : start + chunk].tolist()]
        ids = {name_of(k): k for k in part}
        clusters = {
            d["_id"]: d.get("cluster_id")
            for d in store.articles.find({"_id": {"$in": list(ids)}}, projection={"cluster_id": 1})
        }
        for name, key in ids.items():
            cid = clusters.get(name)
            if cid is not None and cid in cluster_head:
                continue
            if cid is not None:
                cluster_head[cid] = key
            chosen.append(key)
            if len(chosen) == limit:
                break
        if len(chosen) == limit:
            break
    shown = set(chosen)
    cluster_head = {cid: key for cid, key in cluster_head.items() if key in shown}
    event: dict[int, int] = {}
    if cluster_head:
        matched = set(keys.tolist())
        for doc in store.articles.find({"cluster_id": {"$in": list(cluster_head)}}, projection={"cluster_id": 1}):
            key = id64(str(doc["_id"]))
            if key in matched and key not in shown:
                event[key] = cluster_head[doc["cluster_id"]]
    return np.asarray(chosen, dtype=np.int64), event


def _order(loaded: Loaded, hits: list[_Hits]) -> tuple[np.ndarray, ...]:
    """Rank order over all hits (score, then time, then id), with each hit's score, time, segment, ordinal."""
    if not hits:
        empty = np.zeros(0, np.int64)
        return empty, np.zeros(0), empty, empty, empty
    score = np.concatenate([h.scores for h in hits])
    ts = np.concatenate([loaded.columns[h.segment].ts[h.ords] for h in hits])
    ts = np.where(ts == UNDATED, 0, ts)  # an undated article ranks as the oldest
    seg = np.concatenate([np.full(len(h.ords), h.segment) for h in hits])
    ords = np.concatenate([h.ords for h in hits]).astype(np.int64)
    order = np.lexsort((-ts, -score))
    # Equal score and time: the smaller id first (only ties need the ids).
    s, t = score[order], ts[order]
    tied = np.flatnonzero((s[1:] == s[:-1]) & (t[1:] == t[:-1]))
    if len(tied):
        order = order.copy()
        start = 0
        runs = np.split(tied, np.flatnonzero(np.diff(tied) != 1) + 1)
        for run in runs:
            start, stop = int(run[0]), int(run[-1]) + 2
            piece = order[start:stop]
            order[start:stop] = sorted(piece, key=lambda i: loaded.columns[seg[i]].ids[ords[i]])
    return order, score, ts, seg, ords


def _hits(store: Store, query: SearchQuery, kit: TokenizerKit, loaded: Loaded) -> list[_Hits]:
    postings = [{t: _postings(loaded, k, t) for t in query.terms} for k in range(len(loaded.segments))]
    total = sum(int(live.sum()) for live in loaded.live)
    if not total:
        return []
    length = sum(int(c.length[live].sum()) for c, live in zip(loaded.columns, loaded.live, strict=True))
    average = length / total
    df = {t: sum(int(live[p[t][0]].sum()) for p, live in zip(postings, loaded.live, strict=True)) for t in query.terms}
    weights = {t: idf(df[t], total) for t in query.terms}
    clustered = _cluster_keys(store, query.cluster) if query.cluster is not None else None
    patterns = [phrase_pattern(kit, p) for p in query.phrases]
    hits = []
    for k, (columns, live) in enumerate(zip(loaded.columns, loaded.live, strict=True)):
        lists = postings[k]
        cand = lists[query.terms[0]][0]
        for term in query.terms[1:]:
            cand = np.intersect1d(cand, lists[term][0], assume_unique=True)
        cand = cand[live[cand]].astype(np.int64)
        cand = cand[_filters(query, columns, cand, clustered)]
        for pattern in patterns:
            if len(cand):
                cand = cand[_in_phrase(store, loaded, k, cand, pattern)]
        if not len(cand):
            continue
        total_score = np.zeros(len(cand))
        for term in query.terms:
            ords, tf = lists[term][0], lists[term][1]
            total_score = total_score + _log_tf()[tf[np.searchsorted(ords, cand)]] * weights[term]
        body = np.maximum(columns.length[cand], 1).astype(np.float64)
        norm = (1.0 - LENGTH_PIVOT) + LENGTH_PIVOT * body / average
        hits.append(_Hits(k, cand, total_score / norm))
    return hits


def _postings(loaded: Loaded, k: int, term: str) -> tuple[np.ndarray, np.ndarray, int]:
    doc = loaded.parts.get(loaded.postings_id(k, term))
    found = term_postings(doc, term) if doc else None
    return found or (np.zeros(0, np.uint32), np.zeros(0, np.uint16), 0)


def _filters(query: SearchQuery, columns: Any, cand: np.ndarray, clustered: np.ndarray | None) -> np.ndarray:
    keep = np.ones(len(cand), bool)
    if query.since or query.until:
        ts = columns.ts[cand]
        keep &= ts != UNDATED
        if query.since:
            keep &= ts >= millis(day_start(query.since))
        if query.until:
            keep &= ts < millis(day_start(query.until + timedelta(days=1)))
    if query.sources:
        codes = [i for i, s in enumerate(columns.sources) if s in query.sources]
        keep &= np.isin(columns.source[cand], codes)
    if query.category is not None:
        codes = [i for i, c in enumerate(columns.categories) if c == query.category]
        keep &= np.isin(columns.category[cand], codes)
    if clustered is not None:
        keep &= np.isin(columns.id64[cand], clustered)
    return keep


def _in_phrase(store: Store, loaded: Loaded, k: int, cand: np.ndarray, pattern: list[tuple[str, int]]) -> np.ndarray:
    """Which candidates hold the phrase's words at consecutive positions (relative offsets kept)."""
    found: np.ndarray | None = None
    name = loaded.segments[k].name
    bucket_of = {w: loaded.postings_id(k, w) for w, _ in pattern}
    parts = {w: f"{name}:x{bucket_of[w].rsplit(':p', 1)[1]}.{_postings(loaded, k, w)[2]}" for w, _ in pattern}
    loaded.fetch(store, parts.values())
    for word, offset in pattern:
        ords = _postings(loaded, k, word)[0]
        pstarts, pos = term_positions(loaded.parts[parts[word]], word)
        j = np.searchsorted(ords, cand)
        starts, stops = pstarts[j], pstarts[j + 1]
        counts = stops - starts
        flat = np.repeat(starts - np.cumsum(np.r_[0, counts[:-1]]), counts) + np.arange(int(counts.sum()))
        keys = np.repeat(cand, counts) * (1 << 33) + pos[flat].astype(np.int64) - offset + (1 << 32)
        found = np.unique(keys) if found is None else np.intersect1d(found, keys)
    if found is None:
        return np.ones(len(cand), bool)
    return np.isin(cand, np.unique(found >> 33))


def _cluster_keys(store: Store, cluster: str) -> np.ndarray:
    ids = [str(d["_id"]) for d in store.articles.find({"cluster_id": cluster}, projection={"_id": 1})]
    return np.array([id64(i) for i in ids], np.int64)


def plan_stages(plan: Mapping[str, Any]) -> str:
    """A plan tree as one line, outermost stage first."""
    stages = []
    node: Mapping[str, Any] | None = plan
    while node:
        name = str(node.get("stage"))
        stages.append(f"{name}({node['indexName']})" if "indexName" in node else name)
        node = node.get("inputStage")
    return " < ".join(stages)


def known_cluster(store: Store, cluster: str) -> bool:
    """Whether ``cluster`` is the id of a stored cluster or of any stored article's cluster."""
    if store.collection("clusters").find_one({"_id": cluster}, projection={"_id": 1}) is not None:
        return True
    return store.articles.find_one({"cluster_id": cluster}, projection={"_id": 1}) is not None


def unknown_sources(store: Store, sources: Iterable[str], known: Iterable[str]) -> list[str]:
    """The sources that are neither ``known`` (built-in or configured) nor on any stored article."""
    names = set(known)
    return [
        s
        for s in dict.fromkeys(sources)
        if s not in names and store.articles.find_one({"source": s}, projection={"_id": 1}) is None
    ]


def story_record(story: Story) -> dict[str, Any]:
    """A story as plain JSON-ready data: the article, its score, its folded duplicates and its event's other reports."""
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
        "reports": [
            {
                "id": d["_id"],
                "source": d.get("source"),
                "source_name": d.get("source_name"),
                "title": d.get("title"),
                "url": d.get("url"),
                "published_at": _iso(d.get("published_at")),
            }
            for d in story.reports
        ],
    }


def story_line(story: Story) -> str:
    """One line: score, time, source, title, id, the sources of its copies and the other reports of its event."""
    doc = story.doc
    when = doc.get("published_at")
    stamp = when.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if isinstance(when, datetime) else "(no date)       "
    source = doc.get("source_name") or doc.get("source")
    line = f"{story.score:6.2f}  {stamp}  {source}  {doc.get('title')}  [{doc['_id']}]"
    if story.duplicates:
        names = list(dict.fromkeys(str(d.get("source_name") or d.get("source")) for d in story.duplicates))
        count = len(story.duplicates)
        line += f"  +{count} source{'s' if count > 1 else ''}: {', '.join(names)}"
    if story.reports:
        names = list(dict.fromkeys(str(d.get("source_name") or d.get("source")) for d in story.reports))
        line += f"  (also reported by {', '.join(names)})"
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
