"""Which earlier articles report the same event as today's: candidates, then a second, precise decision.

Candidates are the earlier articles of the last ``max_days`` whose title + lead is similar on character 2–3-grams
(TF-IDF fitted on the day's window) or that share a rare entity key (``enrich.entities``); the search is a sparse
product of today's rows with the window's, so it grows with the window, never with the archive. Each candidate
carries the numbers the gate decides on (cosines, shared rare names and sums, hours apart, same source, title
containment, and what the titles state: ``enrich.pairrules``). The offline gate is the pair model of
``enrich.pairmodel`` (v3); ``offline_verdict`` below is the earlier hand-set rule (v2), kept for comparison. An LLM
gate (``enrich.eventjudge``) can replace the offline verdict on the same candidates.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

from enrich.chargrams import hashed_counts
from enrich.entities import Keys, conflicts, extract, frozen, normalize, normalize_head
from enrich.pairrules import (
    Session,
    date_conflict,
    figure_conflict,
    later_figure,
    market_session,
    series_tag,
    session_conflict,
    title_dates,
    title_figures,
)

LEAD_CHARS = 120
PRIOR_DOCS = 200
_NOISE = re.compile(r"\s+|[#【】\[\]|｜]")


@dataclass(frozen=True)
class GateRules:
    """Thresholds of the candidate search, and of the v2 rule (`offline_verdict`, chosen on the dev week)."""

    max_days: float = 2.0  # how far back a same-event report may be
    candidate_sim: float = 0.12  # title+lead cosine a pair needs to be a candidate without a shared rare key
    title_sim: float = 0.7  # title cosine that joins on its own ...
    title_hours: float = 36.0  # ... within this many hours
    strong_weight: float = 6.0  # summed IDF of the rare names both titles (or titles + leads) carry, for a keyed join
    keyed_full_sim: float = 0.2  # title+lead cosine a keyed join needs, besides a shared sum (money, percent, units)
    keyed_hours: float = 12.0  # a keyed join is for reports of the same hours: a name alone recurs across days
    rare_weight: float = 3.0  # a key counts as rare above this IDF (log of window size / key frequency)
    max_postings: int = 40  # a key on more window articles than this finds no candidates by itself (bounds the cost)
    max_similar: int = 40  # at most this many of the most similar earlier articles are candidates by similarity
    version_factor: float = 2.0  # a shared product version (qwen3.5) counts this many times its IDF
    ask_sim: float = 0.15  # an LLM gate is asked about candidates above this title+lead cosine or with a shared name


@dataclass(frozen=True)
class Text:
    """What the gate reads of one article, with the key sets it compares (computed once per article)."""

    title: str
    lead: str
    keys: Keys
    title_keys: Keys
    all_keys: frozenset[str] = frozenset()  # keys.all()
    title_all: frozenset[str] = frozenset()  # title_keys.all()
    sums: frozenset[str] = frozenset()  # the sums (value in a unit) of title + lead
    roundup: bool = False
    source: str = ""
    session: Session | None = None  # a market report's market and report point
    dates: frozenset[tuple[int, int]] = frozenset()  # calendar dates the title names
    figures: frozenset[float] = frozenset()  # figures the title states
    series: str = ""  # the column or series name the title ends with
    names: frozenset[str] = frozenset()  # the title's names and versions (no sums)


def gate_text(title: str, body: str, source: str = "") -> Text:
    """The title, the lead (first ``LEAD_CHARS`` of the body), their entity keys and what the title states."""
    lead = normalize_head(body, LEAD_CHARS)
    title = normalize(title)
    keys, title_keys = extract(f"{title} {lead}"), extract(title)
    return Text(
        title, lead, keys, title_keys, keys.all(), title_keys.all(), frozen(_sums(keys)), is_roundup(title),
        source, market_session(title), title_dates(title), title_figures(title), series_tag(title),
        title_keys.names | title_keys.versions if title_keys.versions else title_keys.names,
    )  # fmt: skip


@dataclass(frozen=True)
class Pair:
    """A candidate: a today row, an earlier row (both window positions), and what the gate saw."""

    query: int
    pool: int
    title_sim: float
    full_sim: float
    shared: tuple[str, ...]
    rare: float  # summed IDF of the shared rare keys
    blocked: tuple[str, ...]
    strong: float = 0.0  # summed IDF of the rare names both titles carry (versions, quoted names, subjects, sums)
    named: int = 0  # companies and product families both titles name
    roundup: bool = False  # either is a round-up of many happenings (早报, 氪星晚报…), never one event
    lead_strong: float = 0.0  # the same over the names both titles + leads carry
    hours: float = 0.0  # hours between the two reports
    amounts: int = 0  # sums (a value in a unit) that both titles + leads name
    lead_blocked: tuple[str, ...] = ()  # another version or amount in the titles + leads
    same_source: bool = False
    market: bool = False  # either title is a market report (恒指开盘, 美股盘前 …)
    session_conflict: bool = False  # market reports of another market, report point or session (enrich.pairrules)
    date_conflict: bool = False  # the titles name different calendar dates
    figure_conflict: bool = False  # both titles state figures and share none
    shared_figure: bool = False  # both titles state figures and share one
    later_figure: bool = False  # different figures, hours apart: a later development (enrich.pairrules)
    title_contain: float = 0.0  # share of the shorter title's character n-grams in the other title
    name_overlap: float = 0.0  # Jaccard of the names and versions of the two titles
    same_series: bool = False  # both titles end with the same column or series name (two talks of one series)


def count_rows(texts: Sequence[Text]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Character 2–3-gram counts of titles and of title + lead, hashed so no vocabulary is fitted."""
    # The matrices of a HashingVectorizer(analyzer="char", ngram_range=(2, 3), n_features=2**20, alternate_sign=False,
    # norm=None), computed without cutting each n-gram into a string (enrich.chargrams); held as float32 (the counts
    # are whole numbers, exact in it: half the memory), read as float64 (_tfidf), so every cosine is the same.
    titles = hashed_counts([_clean(t.title) for t in texts], dtype=np.float32)
    full = hashed_counts([_clean(f"{t.title} {t.lead}") for t in texts], dtype=np.float32)
    return titles, full


def _clean(text: str) -> str:
    return _NOISE.sub("", text)


def _tfidf(counts: sp.csr_matrix, rows: np.ndarray, keep: np.ndarray | None = None) -> sp.csr_matrix:
    """Sublinear, L2-normalised TF-IDF of the ``keep`` positions of ``rows`` (all of them by default), the IDF fitted
    on all ``rows``: the transform works row by row, so a row's vector is the same either way."""
    window = counts[rows].astype(np.float64)  # the IDF and weights in float64, whatever the counts are held in
    transformer = TfidfTransformer(norm="l2", sublinear_tf=True)
    transformer.fit(window)
    return transformer.transform(window if keep is None else window[keep]).tocsr()


def candidate_pairs(
    texts: Sequence[Text],
    title_counts: sp.csr_matrix,
    full_counts: sp.csr_matrix,
    *,
    window: np.ndarray,
    today: np.ndarray,
    times: Sequence[datetime | None],
    rules: GateRules,
) -> list[Pair]:
    """Pairs (today position, earlier position) within ``rules.max_days``, with the gate's features.

    ``window`` lists article rows in publication order; ``today`` the window positions to decide for.
    """
    if not len(today):
        return []
    max_gap = rules.max_days * 86400
    stamps = _microseconds(times, window.tolist())  # by window position
    undated = np.asarray([s is None for s in stamps], dtype=bool)
    stamp = np.asarray([0 if s is None else s for s in stamps], dtype=np.int64)
    # Only the articles of the last max_days can pair with today's (IDF still comes from the whole window).
    dated = [s for s in (stamps[q] for q in today.tolist()) if s is not None]
    first = min(dated) if dated else None
    recent = np.asarray(
        [p for p, s in enumerate(stamps) if first is None or s is None or _seconds(first - s) <= max_gap or s > first],
        dtype=np.int64,
    )
    # Vectors only for the recent rows (today's are among them), the IDF from the whole window.
    titles, full = _tfidf(title_counts, window, recent), _tfidf(full_counts, window, recent)
    local = np.full(len(window), -1, dtype=np.int64)  # window position -> row of the recent vectors
    local[recent] = np.arange(len(recent))
    full_sim = (full[local[today]] @ full.T).tocsr()
    idf = _key_idf([texts[i].all_keys for i in window.tolist()])
    rare = {k for k, v in idf.items() if v >= rules.rare_weight}
    by_key: dict[str, list[int]] = {}
    for position, row in enumerate(window.tolist()):
        for key in texts[row].all_keys & rare:
            by_key.setdefault(key, []).append(position)
    # A large window makes many keys "rare" by IDF that still sit on hundreds of articles: they join nothing the
    # gate would accept (a keyed join needs the same hours and a shared sum) and would make the search quadratic.
    by_key = {key: positions for key, positions in by_key.items() if len(positions) <= rules.max_postings}
    found: list[tuple[int, int, float, float]] = []  # (query, pool, seconds apart, title+lead cosine)
    # Character n-gram cosines are dense rows (most texts share some bigram): each query's row is spread into a
    # dense vector once, so a pair's similarity is an index, not a sparse lookup or a dict of the whole row.
    full_row = np.zeros(len(window))
    for n, q in enumerate(today.tolist()):
        start, end = full_sim.indptr[n], full_sim.indptr[n + 1]
        indices, values = recent[full_sim.indices[start:end]], full_sim.data[start:end]
        full_row[:] = 0.0
        full_row[indices] = values
        keep = (values >= rules.candidate_sim) & (indices < q)
        near, sims = indices[keep], values[keep]
        # The most similar first, ties to the later position (as sorting (similarity, position) descending would).
        order = np.lexsort((-near, -sims))[: rules.max_similar]
        keyed = {p for key in texts[window[q]].all_keys & by_key.keys() for p in by_key[key]}
        pool = np.asarray(sorted(set(near[order].tolist()) | keyed), dtype=np.int64)
        pool = pool[pool < q]
        # Seconds apart as _seconds gives them: int64 microseconds (below 2**53, so exact as float64) over 10**6, one
        # correctly rounded division; 0.0 when either is undated.
        gaps = np.where(undated[pool] | undated[q], 0.0, np.abs(stamp[q] - stamp[pool]) / 1e6)
        close = gaps <= max_gap
        pool = pool[close]
        found += zip([q] * len(pool), pool.tolist(), gaps[close].tolist(), full_row[pool].tolist(), strict=True)
    if not found:
        return []
    # Title cosines only for the candidates: one row-wise product instead of today x window.
    queries, pools = [f[0] for f in found], [f[1] for f in found]
    rows_q, rows_p = local[queries], local[pools]
    if (rows_p < 0).any():  # an undated query is 0 hours from any earlier article, recent or not
        titles, rows_q, rows_p = _tfidf(title_counts, window), np.asarray(queries), np.asarray(pools)
    title_sims = np.asarray(titles[rows_q].multiply(titles[rows_p]).sum(axis=1)).ravel().tolist()
    contain = _title_containment(title_counts[window], queries, pools)
    weight: dict[str, float] = {}  # the evidence of each shared key, computed once per window
    out: list[Pair] = []
    for (q, p, gap, full_cos), title_cos, title_in in zip(found, title_sims, contain, strict=True):
        mine, other = texts[window[q]], texts[window[p]]
        shared_keys = mine.all_keys & other.all_keys
        in_titles = mine.title_all & other.title_all
        for k in shared_keys | in_titles:
            if k not in weight:
                weight[k] = _weight(k, idf, rules)
        # Sums run over sorted keys: a set's order follows the process's string hash seed, and the last bit of a
        # sum would too (the candidates may be computed in a second process: enrich.candidates).
        ordered = sorted(shared_keys)
        out.append(
            Pair(
                query=q,
                pool=p,
                title_sim=round(title_cos, 4),
                full_sim=round(full_cos, 4),
                shared=tuple(ordered),
                rare=round(sum([idf[k] for k in ordered if k in rare]), 3),
                blocked=tuple(conflicts(mine.title_keys, other.title_keys)),
                strong=round(sum(map(weight.__getitem__, sorted(in_titles))), 3),
                named=sum(1 for k in in_titles if k.startswith(("co:", "pr:"))),
                roundup=mine.roundup or other.roundup,
                lead_strong=round(sum(map(weight.__getitem__, ordered)), 3),
                hours=round(gap / 3600, 2),
                amounts=len(mine.sums & other.sums),
                lead_blocked=tuple(conflicts(mine.keys, other.keys)),
                same_source=bool(mine.source) and mine.source == other.source,
                market=mine.session is not None or other.session is not None,
                session_conflict=session_conflict(mine.session, other.session, gap / 3600),
                date_conflict=date_conflict(mine.dates, other.dates),
                figure_conflict=(figures := figure_conflict(mine.figures, other.figures)),
                shared_figure=bool(mine.figures and other.figures) and not figures,
                later_figure=figures and later_figure(mine.figures, other.figures, gap / 3600),
                title_contain=title_in,
                name_overlap=round(len(mine.names & other.names) / max(1, len(mine.names | other.names)), 4),
                same_series=bool(mine.series) and mine.series == other.series,
            )
        )
    return out


def _title_containment(title_counts: sp.csr_matrix, queries: list[int], pools: list[int]) -> list[float]:
    """Per pair, the share of the shorter title's character n-grams found in the other title (window rows)."""
    titles = title_counts.sign().tocsr()
    size = np.maximum(np.diff(titles.indptr).astype(np.float64), 1.0)
    shared = np.asarray(titles[queries].multiply(titles[pools]).sum(axis=1), dtype=np.float64).ravel()
    return np.round(shared / np.minimum(size[queries], size[pools]), 4).tolist()


def _sums(keys: Keys) -> set[str]:
    return {f"{unit}:{value:g}" for unit, values in keys.amounts.items() for value in values}


_ROUNDUP = re.compile(r"早报|晚报|晨报|周报|日报|周刊|8点1氪|9点1氪|氪星|Daily|盘点|一周|汇总")


def is_roundup(title: str) -> bool:
    """A round-up of many happenings: a digest's name, or three or more clauses split by ；/｜."""
    return bool(_ROUNDUP.search(title)) or title.count("；") + title.count(";") >= 2


def _weight(key: str, idf: dict[str, float], rules: GateRules) -> float:
    """The evidence one shared key gives: its IDF when rare and naming one thing, doubled for a product version."""
    weight = idf.get(key, 0.0)
    if weight < rules.rare_weight or not _strong(key):
        return 0.0
    return weight * rules.version_factor if ":" not in key else weight


def _strong(key: str) -> bool:
    """Keys that name one thing: a product version, a quoted name, a 快讯 subject, a latin name, a sum of money."""
    if key.startswith(("co:", "pr:", "%:")):
        return False
    return ":" not in key or key.startswith(("q:", "s:", "la:")) or key.split(":")[0] in _MONEY


_MONEY = frozenset({"美元", "港元", "日元", "韩元", "欧元", "新台币", "人民币", "元"})


def _key_idf(keys: Sequence[frozenset[str]]) -> dict[str, float]:
    frequency: Counter[str] = Counter()
    for k in keys:
        frequency.update(k)
    # As if the window held at least PRIOR_DOCS articles: in a small input (a test, one day's file) a name
    # that two reports share is not "common" just because there are few articles.
    total = len(keys) + PRIOR_DOCS
    return {key: math.log(total / (n + 1)) for key, n in frequency.items()}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def _microseconds(times: Sequence[datetime | None], rows: Sequence[int]) -> list[int | None]:
    """Microseconds since the epoch of the ``rows`` of ``times``: gaps in exact integers, not timedelta objects."""
    return [None if (t := times[row]) is None else (t - _epoch(t)) // _MICROSECOND for row in rows]


def _epoch(t: datetime) -> datetime:
    return _NAIVE_EPOCH if t.utcoffset() is None else _EPOCH


def _seconds(microseconds: int) -> float:
    """``abs(timedelta(microseconds=...).total_seconds())`` to the last bit: it is that int over 10**6, correctly
    rounded."""
    return abs(microseconds) / 1_000_000


def offline_verdict(pair: Pair, rules: GateRules) -> bool:
    """The v2 rule (the gate before the pair model): near-identical titles within a day and a half, or, within the
    same hours, shared rare names with a shared sum and similar text; never a round-up, another version or amount."""
    if pair.blocked or pair.roundup:
        return False
    if pair.title_sim >= rules.title_sim and pair.hours <= rules.title_hours:
        return True
    if pair.lead_blocked or pair.hours > rules.keyed_hours or not pair.amounts:
        return False
    return max(pair.strong, pair.lead_strong) >= rules.strong_weight and pair.full_sim >= rules.keyed_full_sim


def worth_asking(pair: Pair, rules: GateRules) -> bool:
    """Candidates an LLM gate is shown: not blocked, not a round-up, similar enough or sharing a name."""
    if pair.blocked or pair.roundup:
        return False
    return pair.full_sim >= rules.ask_sim or pair.strong > 0.0 or pair.named > 0
