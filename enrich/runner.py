"""Compose the enrichment steps over a list of articles and their context window: no I/O here.

Targets are processed one Asia/Shanghai day at a time, oldest first. A day's window is that day's
targets plus every other known article of the ``window_days`` days before it (context from the
database, and targets of earlier days already processed in this call), so the result for a day
depends on its window alone: re-running a day changes nothing, and a new article joins a cluster
that an earlier day started.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np

from crawler.dates import SHANGHAI
from enrich.candidates import CandidateProcess, Candidates, DayResult, Job, Schedule
from enrich.candidates import schedule as make_schedule
from enrich.cluster import ClusterRules, assign_clusters, cluster_id_for, representative_of, summarize
from enrich.dedupe import DupDoc, Mark, content_key, find_duplicates, verified_near_pairs
from enrich.entities import normalize_head
from enrich.eventjudge import Article as JudgeArticle
from enrich.keywords import keyword_mask, label, top_keywords
from enrich.pairgate import LEAD_CHARS, GateRules, Pair, Text, gate_text, worth_asking
from enrich.pairmodel import shipped_gate
from enrich.tokens import DocTokens, TokenizerKit, tokenize_docs
from enrich.vectors import Counts, Pairs, blocking_vectors, count_matrices, similar_pairs, window_tfidf

ENRICH_VERSION = "2026.1"

Scorer = Callable[[Sequence[Mapping[str, Any]]], list[tuple[float, bool]]]
Categorizer = Callable[[Sequence[Mapping[str, Any]]], list[tuple[str, float]]]
# The second gate of the event join: (day, candidate articles by id, candidate id pairs) -> the pairs that are one
# event, or None when it could not decide (the offline gate is used then). See enrich.eventjudge.LLMJudge.
Judge = Callable[[date, Mapping[str, JudgeArticle], Sequence[tuple[str, str]]], "set[tuple[str, str]] | None"]
# The offline gate: one verdict per candidate pair of a day (None in the settings: the shipped pair model,
# enrich.pairmodel). Earlier gates (enrich.pairgate.offline_verdict) plug in here for comparison.
GateVerdict = Callable[[Sequence[Pair]], list[bool]]
# Sees every day's candidates as (later id, earlier id, pair): how the gate's training data is collected.
CandidateSink = Callable[[date, Sequence[tuple[str, str, Pair]]], None]


@dataclass(frozen=True)
class EnrichSettings:
    """Thresholds and sizes of the enrichment steps (``ENRICH_*`` settings)."""

    window_days: int = 7
    title_weight: float = 2.0
    near_sim: float = 0.5  # cosine a pair needs before its shingles are compared
    near_containment: float = 0.8  # share of the shorter text's 5-character shingles found in the other
    near_max_days: float = 3.0
    cluster: ClusterRules = field(default_factory=ClusterRules)
    gate: GateRules = field(default_factory=GateRules)
    gate_verdict: GateVerdict | None = None  # None: the shipped pair model
    keep_terms: int = 24
    keywords: int = 8
    # 2 or more: the event join's candidates are computed in a second process (enrich.candidates); 3 or more: the
    # rest tokenise in a pool beside it. Below parallel_min_docs articles one process is faster.
    processes: int = 1
    parallel_min_docs: int = 5000
    # What enrichment reads of a body: a 5 MB page's 190k distinct tokens made writes run past timeouts.
    max_body_chars: int = 100_000


@dataclass(frozen=True)
class Models:
    """The learned steps, already loaded: AI relevance and category (either may be absent), and the artifact
    version of each, stored on every document they label so a model upgrade can find what it has not relabelled."""

    relevance: Scorer | None = None
    category: Categorizer | None = None
    versions: Mapping[str, str] = field(default_factory=dict)
    judge: Judge | None = None  # the LLM gate of the event join; None: the offline gate decides


@dataclass
class EnrichResult:
    """Field updates per article id, cluster documents to upsert, and cluster ids left with no members."""

    updates: list[tuple[str, dict[str, Any]]]
    clusters: list[dict[str, Any]]
    empty_clusters: list[str]
    timings: dict[str, float]


@dataclass
class _Row:
    doc: Mapping[str, Any]
    target: bool
    when: datetime | None
    day: date
    tokens: DocTokens
    dup: DupDoc
    cluster_id: str | None
    mark: Mark
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.dup.id  # str(doc["_id"]), made once: the day steps ask for it millions of times

    @property
    def order_key(self) -> tuple[int, float, str]:
        return (0, self.when.timestamp(), self.id) if self.when else (1, 0.0, self.id)


def article_time(doc: Mapping[str, Any]) -> datetime | None:
    """When an article appeared: its publication time, else when the crawl first saw it."""
    for key in ("published_at", "first_seen_at", "fetched_at"):
        value = doc.get(key)
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    return None


def enrich(
    targets: Sequence[Mapping[str, Any]],
    context: Sequence[Mapping[str, Any]],
    *,
    kit: TokenizerKit,
    settings: EnrichSettings,
    now: datetime,
    clusters: Mapping[str, Mapping[str, Any]] | None = None,
    models: Models | None = None,
    on_candidates: CandidateSink | None = None,
) -> EnrichResult:
    """Enrichment fields for ``targets``, given ``context`` (already enriched neighbours) and stored clusters."""
    timings = dict.fromkeys(("tokenize", "vectorize", "classify", *_DAY_STAGES), 0.0)
    clock = time.perf_counter()
    targets = [_capped(d, settings.max_body_chars) for d in targets]
    target_ids = {str(d["_id"]) for d in targets}
    context = [_capped(d, settings.max_body_chars) for d in context if str(d["_id"]) not in target_ids]
    docs = [(d, True) for d in targets] + [(d, False) for d in context]
    times = [article_time(d) for d, _ in docs]
    days = _days(times)
    ids = [str(d["_id"]) for d, _ in docs]
    schedule = make_schedule(ids, times, days, [is_target for _, is_target in docs], settings.window_days)
    judge = (models or Models()).judge
    target_days = sorted({day for day, (_, is_target) in zip(days, docs, strict=True) if is_target})
    # A second process joins events beside this one (enrich.candidates) when there are two and enough articles.
    parallel = settings.processes > 1 and len(docs) >= settings.parallel_min_docs
    with ExitStack() as stack:
        process = None
        if parallel:
            # It decides itself only with the shipped gate and when no caller must see the pairs.
            decide = settings.gate_verdict is None and judge is None and on_candidates is None
            job = Job([(_text(d, "title"), normalize_head(_body(d), LEAD_CHARS), _text(d, "source")) for d, _ in docs],
                      times, schedule, target_days, settings.gate, decide)  # fmt: skip
            process = stack.enter_context(CandidateProcess(job))
        rows = _prepare(docs, times, days, kit, settings.processes - 1 if parallel else settings.processes)
        timings["tokenize"] = time.perf_counter() - clock

        clock = time.perf_counter()
        counts = count_matrices([r.tokens.title for r in rows], [r.tokens.title + r.tokens.body for r in rows])
        run = _Run(rows, counts, schedule, settings, clusters or {}, judge, on_candidates, process)
        timings["vectorize"] = time.perf_counter() - clock

        clock = time.perf_counter()
        _classify([r for r in rows if r.target], models or Models())
        timings["classify"] = time.perf_counter() - clock

        for day in target_days:
            run.day(day, timings)

    updates = [(r.id, _target_fields(r, now)) for r in rows if r.target]
    updates += [
        (rows[i].id, {"duplicate_of": rows[i].mark.duplicate_of, "duplicate_kind": rows[i].mark.kind})
        for i in sorted(run.changed_context, key=lambda i: rows[i].id)
    ]
    state = run.state
    out = [state[c] for c in sorted(run.touched) if c in state and state[c]["members"]]
    empty = sorted(c for c in run.touched if c not in state or not state[c]["members"])
    return EnrichResult(updates, out, empty, timings)


_DAY_STAGES = ("window", "neighbours", "dedupe", "cluster", "keywords")


class _Run:
    """The state carried from one day to the next within one call: marks, clusters and their members."""

    def __init__(
        self,
        rows: list[_Row],
        counts: Counts,
        schedule: Schedule,
        settings: EnrichSettings,
        clusters: Mapping[str, Mapping[str, Any]],
        judge: Judge | None = None,
        on_candidates: CandidateSink | None = None,
        process: CandidateProcess | None = None,
    ) -> None:
        self.rows = rows
        self.counts = counts
        self.schedule = schedule
        self.settings = settings
        self.judge = judge
        self.on_candidates = on_candidates
        self.verdict = settings.gate_verdict or shipped_gate()
        self.process = process
        # In one process the gate texts are read here; beside a second one, only those an LLM judge is shown.
        self.candidates = None if process else Candidates([_gate_fields(r.doc) for r in rows], [r.when for r in rows],
                                                          settings.gate)  # fmt: skip
        self.texts: dict[int, Text] = dict(enumerate(self.candidates.texts)) if self.candidates else {}
        self.blocking = blocking_vectors(counts, title_weight=settings.title_weight, keep=settings.keep_terms)
        self.mask = keyword_mask(counts.terms)
        self.state = {cid: dict(doc) for cid, doc in clusters.items()}
        self.touched: set[str] = set()
        self.changed_context: set[int] = set()
        self.loaded = {r.id for r in rows}
        seen: Counter[str] = Counter()
        for r in rows:
            seen.update({f"url:{r.dup.url}", f"text:{r.dup.key}"} if r.dup.key else {f"url:{r.dup.url}"})
        self.shared = {
            i
            for i, r in enumerate(rows)
            if seen[f"url:{r.dup.url}"] > 1 or (r.dup.key and seen[f"text:{r.dup.key}"] > 1)
        }
        self.members: dict[str, set[int]] = {}
        for i, r in enumerate(rows):
            if r.cluster_id and not r.target:
                self.members.setdefault(r.cluster_id, set()).add(i)

    def day(self, day: date, timings: dict[str, float]) -> None:
        rows, settings = self.rows, self.settings
        clock = time.perf_counter()
        window_rows, today = self.schedule.window(day)
        window = window_rows.tolist()
        vectors, idf = window_tfidf(self.counts, window_rows, title_weight=settings.title_weight)
        timings["window"] += time.perf_counter() - clock

        clock = time.perf_counter()
        pairs = similar_pairs(vectors, self.blocking[window_rows], today, min_sim=settings.near_sim)
        timings["neighbours"] += time.perf_counter() - clock

        clock = time.perf_counter()
        self.changed_context |= _dedupe_day(rows, window, set(today.tolist()), pairs, self.shared, settings)
        timings["dedupe"] += time.perf_counter() - clock

        clock = time.perf_counter()
        before = {rows[window[p]].cluster_id for p in today.tolist()} - {None}
        if self.process is not None:
            result = self.process.receive(day)
        else:
            assert self.candidates is not None
            result = DayResult(day, self.candidates.day(window_rows, today))
        if result.pairs is None:  # the second process decided with the shipped gate
            accepted = [(q, p, sim, "offline") for q, p, sim in result.accepted or ()]
        else:
            if self.on_candidates is not None:
                self.on_candidates(day, [(rows[window[c.query]].id, rows[window[c.pool]].id, c) for c in result.pairs])
            accepted = self._decide(day, window, result.pairs)
        _cluster_day(rows, window, today, accepted)
        for p in today.tolist():
            self.members.setdefault(rows[window[p]].cluster_id or "", set()).add(window[p])
        day_clusters = {str(rows[window[p]].cluster_id) for p in today.tolist()} | {str(c) for c in before}
        self.touched |= day_clusters
        self._summarize(window, vectors, day_clusters)
        timings["cluster"] += time.perf_counter() - clock

        clock = time.perf_counter()
        today_rows = window_rows[today]
        weights = self.counts.body_tf[today_rows] + settings.title_weight * self.counts.title[today_rows]
        words = top_keywords(weights, idf, self.mask, self.counts.terms, limit=settings.keywords)
        for i, keywords in zip(today_rows.tolist(), words, strict=True):
            rows[i].fields["keywords"] = keywords
        timings["keywords"] += time.perf_counter() - clock

    def _decide(self, day: date, window: list[int], candidates: list[Pair]) -> list[tuple[int, int, float, str]]:
        """Accepted (query, pool, title similarity, gate) pairs: the LLM's verdict if it answers, else the offline
        gate's."""
        rules = self.settings.gate
        if self.judge is not None:
            asked = [c for c in candidates if worth_asking(c, rules)]
            ids = {(self.rows[window[c.query]].id, self.rows[window[c.pool]].id): c for c in asked}
            if asked:
                shown = {p for c in asked for p in (c.query, c.pool)}
                articles = {
                    self.rows[window[p]].id: JudgeArticle(
                        self.rows[window[p]].id,
                        _text(self.rows[window[p]].doc, "source"),
                        self._text_of(window[p]).title,
                        self._text_of(window[p]).lead,
                    )
                    for p in sorted(shown)
                }
                verdict = self.judge(day, articles, sorted(ids))
                if verdict is not None:
                    return [(c.query, c.pool, c.title_sim, "llm") for pair, c in sorted(ids.items()) if pair in verdict]
        verdicts = self.verdict(candidates)
        return [(c.query, c.pool, c.title_sim, "offline") for c, ok in zip(candidates, verdicts, strict=True) if ok]

    def _text_of(self, row: int) -> Text:
        if row not in self.texts:
            self.texts[row] = gate_text(*_gate_fields(self.rows[row].doc))
        return self.texts[row]

    def _summarize(self, window: list[int], vectors: Any, cluster_ids: set[str]) -> None:
        """Rebuild the cluster documents of ``cluster_ids`` from their members (window ones for text)."""
        rows = self.rows
        in_window = [(p, i) for p, i in enumerate(window) if rows[i].cluster_id in cluster_ids]
        summary = summarize(
            [str(rows[i].cluster_id) for _, i in in_window],
            [p for p, _ in in_window],
            [rows[i].mark.duplicate_of is not None for _, i in in_window],
            vectors,
        )
        ones = np.ones(len(self.counts.terms), dtype=np.float32)
        words = top_keywords(summary.weights, ones, self.mask, self.counts.terms, limit=self.settings.keywords)
        keywords = dict(zip(summary.ids, words, strict=True))
        reps = dict(zip(summary.ids, summary.representative, strict=True))
        for cid in sorted(cluster_ids):
            before = self.state.get(cid, {})
            outside = [m for m in before.get("members", []) if m not in self.loaded]
            members = sorted(
                (rows[i] for i in self.members.get(cid, ()) if rows[i].cluster_id == cid), key=lambda r: r.order_key
            )
            if not members and not outside:
                self.state[cid] = {"_id": cid, "members": []}
                continue
            doc: dict[str, Any] = dict(before) | {"_id": cid}
            if cid in reps:
                # The original publisher, else the earliest report (members are in publication order).
                rep = (
                    members[
                        representative_of(
                            [(m.dup.source, m.dup.credit, m.mark.duplicate_of is not None) for m in members]
                        )
                    ]
                    if members
                    else rows[window[reps[cid]]]
                )
                doc |= {
                    "representative": rep.id,
                    "keywords": keywords[cid],
                    "label": label(keywords[cid]),
                    "category": rep.fields.get("category", rep.doc.get("category")),
                    "is_ai": rep.fields.get("is_ai", rep.doc.get("is_ai")),
                }
            self.state[cid] = doc | _member_fields(members, outside, before)


def _member_fields(members: Sequence[_Row], outside: Sequence[str], before: Mapping[str, Any]) -> dict[str, Any]:
    """Members, sources, first/last time and days; members not loaded keep what the stored document says."""
    times = [m.when for m in members if m.when is not None]
    old = before if outside else {}
    first = [t for t in (old.get("first_published_at"), *times) if t is not None]
    last = [t for t in (old.get("last_published_at"), *times) if t is not None]
    return {
        "members": sorted(set(outside)) + [m.id for m in members],
        "sources": sorted({*old.get("sources", []), *(_text(m.doc, "source") for m in members)}),
        "first_published_at": min(first) if first else None,
        "last_published_at": max(last) if last else None,
        "days": sorted({*old.get("days", []), *(m.day.isoformat() for m in members)}),
        # Which gate joined each member: seed (it started the cluster), duplicate, offline (the rule) or llm.
        "joined_by": {**old.get("joined_by", {}), **{m.id: _gate_of(m) for m in members}},
    }


def _gate_of(row: _Row) -> str:
    return str(row.fields.get("cluster_gate") or row.doc.get("cluster_gate") or "seed")


def _days(times: Sequence[datetime | None]) -> list[date]:
    """Each article's Asia/Shanghai day; undated ones count as of the latest known day."""
    known = [t.astimezone(SHANGHAI).date() if t is not None else None for t in times]
    undated_day = max((d for d in known if d is not None), default=date(1970, 1, 1))
    return [d or undated_day for d in known]


def _gate_fields(doc: Mapping[str, Any]) -> tuple[str, str, str]:
    return _text(doc, "title"), _body(doc), _text(doc, "source")


def _prepare(
    docs: Sequence[tuple[Mapping[str, Any], bool]],
    times: Sequence[datetime | None],
    days: Sequence[date],
    kit: TokenizerKit,
    processes: int,
) -> list[_Row]:
    # Context articles keep their stored tokens; only their (short) titles are cut again for the title weight.
    full = [i for i, (d, is_target) in enumerate(docs) if is_target or not d.get("tokens")]
    cut = tokenize_docs(kit, [(_text(docs[i][0], "title"), _body(docs[i][0])) for i in full], processes=processes)
    tokens: dict[int, DocTokens] = dict(zip(full, cut, strict=True))
    rows = []
    for i, (doc, is_target) in enumerate(docs):
        doc_tokens = tokens.get(i) or DocTokens(kit.tokenize(_text(doc, "title")), list(doc["tokens"]))
        when = times[i]
        title, body = _text(doc, "title"), _body(doc)
        dup = DupDoc(
            str(doc["_id"]), _text(doc, "url"), _text(doc, "source"), when, title, body, content_key(title, body)
        )
        rows.append(
            _Row(
                doc=doc,
                target=is_target,
                when=when,
                day=days[i],
                tokens=doc_tokens,
                dup=dup,
                cluster_id=doc.get("cluster_id"),
                mark=Mark(doc.get("duplicate_of"), doc.get("duplicate_kind")),
            )
        )
    return rows


def _text(doc: Mapping[str, Any], key: str) -> str:
    value = doc.get(key)
    return value if isinstance(value, str) else ""


def _capped(doc: Mapping[str, Any], max_chars: int) -> Mapping[str, Any]:
    """``doc`` with at most ``max_chars`` of its body: the rest of a huge page is not read."""
    body = doc.get("body")
    return {**doc, "body": body[:max_chars]} if isinstance(body, str) and len(body) > max_chars else doc


def _body(doc: Mapping[str, Any]) -> str:
    return _text(doc, "body") or _text(doc, "summary")


def _classify(rows: Sequence[_Row], models: Models) -> None:
    docs = [r.doc for r in rows]
    if not docs:
        return
    applied: dict[str, str] = {}
    if models.relevance is not None:
        for row, (score, is_ai) in zip(rows, models.relevance(docs), strict=True):
            row.fields |= {"ai_score": float(score), "is_ai": bool(is_ai)}
        applied["relevance"] = models.versions.get("relevance", "unversioned")
    if models.category is not None:
        for row, (category, confidence) in zip(rows, models.category(docs), strict=True):
            row.fields |= {"category": category, "category_confidence": float(confidence)}
        applied["category"] = models.versions.get("category", "unversioned")
    if applied:
        # Only the models that ran: a version must never vouch for a label it did not set.
        for row in rows:
            row.fields["model_versions"] = dict(applied)


def _dedupe_day(
    rows: list[_Row], window: list[int], today: set[int], pairs: Pairs, shared: set[int], settings: EnrichSettings
) -> set[int]:
    """Mark today's duplicates; returns rows of earlier days whose mark changed (a late original).

    Only rows that can be in a duplicate group take part: a key (URL, content hash) ``shared`` with
    another row, a near pair, or a stored mark (either end of it). The rest are singletons.
    """
    max_gap = settings.near_max_days * 86400
    near_window = [
        (q, p)
        for q, p, sim in zip(pairs.query.tolist(), pairs.pool.tolist(), pairs.sim.tolist(), strict=True)
        if sim >= settings.near_sim and _gap(rows[window[q]].when, rows[window[p]].when) <= max_gap
    ]
    position = {rows[i].id: p for p, i in enumerate(window)}
    involved = {p for p, i in enumerate(window) if i in shared or rows[i].mark.duplicate_of}
    involved |= {position[m] for p in list(involved) if (m := rows[window[p]].mark.duplicate_of) in position}
    involved |= {p for pair in near_window for p in pair}
    local = sorted(involved)
    index = {p: n for n, p in enumerate(local)}
    docs = [rows[window[p]].dup for p in local]
    near = verified_near_pairs(
        docs, ((index[q], index[p]) for q, p in near_window), min_containment=settings.near_containment
    )
    decided = {index[p]: rows[window[p]].mark for p in local if p not in today}
    marks = find_duplicates(docs, near, decided=decided)
    today_ids = {rows[window[p]].id for p in today}
    changed: set[int] = set()
    for p in today:
        rows[window[p]].mark = marks[index[p]] if p in index else Mark()
    for p in local:
        i, mark = window[p], marks[index[p]]
        if p not in today and mark != rows[i].mark and mark.duplicate_of in today_ids:
            rows[i].mark = mark
            changed.add(i)
    return changed


def _gap(a: datetime | None, b: datetime | None) -> float:
    return abs((a - b).total_seconds()) if a is not None and b is not None else 0.0


def _cluster_day(
    rows: list[_Row], window: list[int], today: np.ndarray, accepted: list[tuple[int, int, float, str]]
) -> None:
    """Today's rows join the cluster their best accepted pair names; duplicates join their original's."""
    neighbours: dict[int, list[tuple[int, float]]] = {}
    gate_of: dict[tuple[int, int], str] = {}
    for q, p, sim, gate in accepted:
        neighbours.setdefault(q, []).append((p, sim))
        gate_of[(q, p)] = gate
    position = {rows[i].id: p for p, i in enumerate(window)}
    today_list = today.tolist()
    canonical_of = {
        p: position[str(rows[window[p]].mark.duplicate_of)]
        for p in today_list
        if rows[window[p]].mark.duplicate_of in position
    }
    today_set = set(today_list)
    known = {p: str(rows[i].cluster_id) for p, i in enumerate(window) if p not in today_set and rows[i].cluster_id}
    assigned = assign_clusters(
        today_list,
        neighbours,
        ids=[rows[i].id for i in window],
        times=[rows[i].when for i in window],
        known=known,
        canonical_of=canonical_of,
        rules=ClusterRules(sim=0.0, day_penalty=0.0),  # the gate already decided: any accepted pair may join
    )
    for p, cluster_id in assigned.items():
        row = rows[window[p]]
        row.cluster_id = cluster_id
        if cluster_id == cluster_id_for(row.id):
            row.fields["cluster_gate"] = "seed"
        elif p in canonical_of and assigned.get(canonical_of[p], known.get(canonical_of[p])) == cluster_id:
            row.fields["cluster_gate"] = "duplicate"
        else:
            joined = [gate_of[(p, j)] for j, _ in neighbours.get(p, ()) if assigned.get(j, known.get(j)) == cluster_id]
            row.fields["cluster_gate"] = joined[0] if joined else "offline"


def _target_fields(row: _Row, now: datetime) -> dict[str, Any]:
    return {
        "tokens": row.tokens.distinct(),
        "keywords": row.fields.get("keywords", []),
        "duplicate_of": row.mark.duplicate_of,
        "duplicate_kind": row.mark.kind,
        "cluster_id": row.cluster_id,
        **{k: v for k, v in row.fields.items() if k != "keywords"},
        "enriched_at": now,
        "enrich_version": ENRICH_VERSION,
    }
