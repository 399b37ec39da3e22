"""Which earlier articles report the same event as today's: candidates, then a second, precise decision.

Candidates are the earlier articles of the last ``max_days`` whose title + lead is similar on character 2–3-grams
(TF-IDF fitted on the day's window) or that share a rare entity key (``enrich.entities``); the search is a sparse
product of today's rows with the window's, so it grows with the window, never with the archive. The offline
gate then keeps a pair only when the titles agree closely, or agree well and share a rare name, and never when
the titles name another version of a product or another amount in one unit. The rule's thresholds were chosen on
the dev week of ``bench/data/feeds`` alone (see bench/RESULTS.md). An LLM gate (``enrich.eventjudge``) can
replace the rule's verdict on the same candidates.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

from enrich.entities import Keys, conflicts, extract, normalize

LEAD_CHARS = 120
PRIOR_DOCS = 200
_HASH = HashingVectorizer(
    analyzer="char", ngram_range=(2, 3), n_features=2**20, alternate_sign=False, norm=None, lowercase=True
)
_NOISE = re.compile(r"\s+|[#【】\[\]|｜]")


@dataclass(frozen=True)
class GateRules:
    """Thresholds of the offline gate (chosen on the dev week) and the candidate search."""

    max_days: float = 2.0  # how far back a same-event report may be
    candidate_sim: float = 0.12  # title+lead cosine a pair needs to be a candidate without a shared rare key
    title_sim: float = 0.6  # title cosine that joins on its own
    strong_weight: float = 6.0  # summed IDF of the rare names both titles carry, needed for a keyed join
    keyed_title_sim: float = 0.4  # title cosine that joins with such shared names
    keyed_full_sim: float = 0.35  # ... or this title+lead cosine with them
    rare_weight: float = 3.0  # a key counts as rare above this IDF (log of window size / key frequency)
    lead_strong_weight: float = 6.0  # shared rare names of titles + leads that join with ``lead_full_sim``
    lead_full_sim: float = 0.35
    version_factor: float = 2.0  # a shared product version (qwen3.5) counts this many times its IDF
    ask_sim: float = 0.15  # an LLM gate is asked about candidates above this title+lead cosine or with a shared name


@dataclass(frozen=True)
class Text:
    """What the gate reads of one article."""

    title: str
    lead: str
    keys: Keys
    title_keys: Keys


def gate_text(title: str, body: str) -> Text:
    """The title, the lead (first ``LEAD_CHARS`` of the body) and their entity keys."""
    lead = normalize(body)[:LEAD_CHARS]
    title = normalize(title)
    return Text(title, lead, extract(f"{title} {lead}"), extract(title))


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


def count_rows(texts: Sequence[Text]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Character 2–3-gram counts of titles and of title + lead, hashed so no vocabulary is fitted."""
    titles = _HASH.transform([_clean(t.title) for t in texts]).tocsr()
    full = _HASH.transform([_clean(f"{t.title} {t.lead}") for t in texts]).tocsr()
    return titles, full


def _clean(text: str) -> str:
    return _NOISE.sub("", text)


def _tfidf(counts: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    transformer = TfidfTransformer(norm="l2", sublinear_tf=True)
    transformer.fit(counts[rows])
    return transformer.transform(counts[rows]).tocsr()


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
    titles, full = _tfidf(title_counts, window), _tfidf(full_counts, window)
    full_sim = (full[today] @ full.T).tocsr()
    title_sim = (titles[today] @ titles.T).tocsr()
    idf = _key_idf([texts[i].keys for i in window.tolist()])
    by_key: dict[str, list[int]] = {}
    for position, row in enumerate(window.tolist()):
        for key in texts[row].keys.all():
            if idf.get(key, 0.0) >= rules.rare_weight:
                by_key.setdefault(key, []).append(position)
    max_gap = rules.max_days * 86400
    out: list[Pair] = []
    for n, q in enumerate(today.tolist()):
        start, end = full_sim.indptr[n], full_sim.indptr[n + 1]
        similar = {
            int(p): float(s)
            for p, s in zip(full_sim.indices[start:end], full_sim.data[start:end], strict=True)
            if s >= rules.candidate_sim
        }
        mine = texts[window[q]]
        keyed = {p for key in mine.keys.all() if idf.get(key, 0.0) >= rules.rare_weight for p in by_key[key]}
        for p in sorted(set(similar) | keyed):
            if p >= q or _gap(times[window[q]], times[window[p]]) > max_gap:
                continue
            other = texts[window[p]]
            shared = tuple(sorted(mine.keys.all() & other.keys.all()))
            rare = sum(idf.get(k, 0.0) for k in shared if idf.get(k, 0.0) >= rules.rare_weight)
            in_titles = mine.title_keys.all() & other.title_keys.all()
            strong = sum(_weight(k, idf, rules) for k in in_titles)
            lead_strong = sum(_weight(k, idf, rules) for k in shared)
            out.append(
                Pair(
                    query=q,
                    pool=p,
                    title_sim=round(float(title_sim[n, p]), 4),
                    full_sim=round(similar.get(p, float(full_sim[n, p])), 4),
                    shared=shared,
                    rare=round(rare, 3),
                    blocked=tuple(conflicts(mine.title_keys, other.title_keys)),
                    strong=round(strong, 3),
                    named=sum(1 for k in in_titles if k.startswith(("co:", "pr:"))),
                    roundup=is_roundup(mine.title) or is_roundup(other.title),
                    lead_strong=round(lead_strong, 3),
                )
            )
    return out


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


def _key_idf(keys: Sequence[Keys]) -> dict[str, float]:
    frequency: Counter[str] = Counter()
    for k in keys:
        frequency.update(k.all())
    # As if the window held at least PRIOR_DOCS articles: in a small input (a test, one day's file) a name
    # that two reports share is not "common" just because there are few articles.
    total = len(keys) + PRIOR_DOCS
    return {key: math.log(total / (n + 1)) for key, n in frequency.items()}


def _gap(a: datetime | None, b: datetime | None) -> float:
    return abs((a - b).total_seconds()) if a is not None and b is not None else 0.0


def offline_verdict(pair: Pair, rules: GateRules) -> bool:
    """The conservative rule: close titles, or good titles/leads with shared rare names; never a conflict."""
    if pair.blocked or pair.roundup:
        return False
    if pair.title_sim >= rules.title_sim:
        return True
    if pair.lead_strong >= rules.lead_strong_weight and pair.full_sim >= rules.lead_full_sim:
        return True
    if pair.strong < rules.strong_weight:
        return False
    return pair.title_sim >= rules.keyed_title_sim or pair.full_sim >= rules.keyed_full_sim


def worth_asking(pair: Pair, rules: GateRules) -> bool:
    """Candidates an LLM gate is shown: not blocked, not a round-up, similar enough or sharing a name."""
    if pair.blocked or pair.roundup:
        return False
    return pair.full_sim >= rules.ask_sim or pair.strong > 0.0 or pair.named > 0
