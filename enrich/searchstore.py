"""The search index in MongoDB (collection ``search_index``): written by enrichment, read by search, rebuildable.

The articles stay the record; the index is derived from them and can always be rebuilt
(``rebuild_index``, ``aidaily reindex``). Every backend serves it, because it is only ever read and
written by ``_id``. One ``meta`` document lists the live segments (their names, sizes and deleted
ordinals), a generation number for optimistic concurrency, ``indexed_through`` (the latest
``enriched_at`` indexed: search indexes anything enriched later before it answers) and the
tokenizer and dictionary that cut the words (another one means a rebuild).

Updating writes the changed articles as a new segment and marks their earlier ordinals deleted.
Segments merge like a log-structured tree: ``MERGE_FACTOR`` segments of one size class (sizes
within a factor of ``MERGE_FACTOR``) are re-indexed from the articles into one, up to
``SEGMENT_DOCS``; a segment with more than a third of its articles deleted is rewritten.
"""

from __future__ import annotations

import hashlib
import logging
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from bson import Binary

from crawler.dates import SHANGHAI
from crawler.store import Store
from enrich.searchindex import SEGMENT_DOCS, Columns, bucket, buckets_for, build_segment, decode_columns, encode, id64
from enrich.tokens import TOKENIZER_VERSION, TokenizerKit

logger = logging.getLogger(__name__)

COLLECTION = "search_index"
META_ID = "meta"
FORMAT_VERSION = 1
MERGE_FACTOR = 4
SMALLEST_CLASS = 1000  # segments below this many articles are one size class
# What indexing reads of an article.
INDEX_FIELDS = ("title", "body", "summary", "published_at", "source", "category", "duplicate_of", "enriched_at")
_PROJECTION = dict.fromkeys(INDEX_FIELDS, 1)


class IndexConflict(RuntimeError):
    """Another writer changed the index meanwhile."""


@dataclass
class SegmentInfo:
    name: str
    docs: int
    buckets: int
    deleted: set[int] = field(default_factory=set)

    @property
    def live(self) -> int:
        return self.docs - len(self.deleted)

    def record(self) -> dict[str, Any]:
        dead = np.array(sorted(self.deleted), np.uint32)
        return {"name": self.name, "docs": self.docs, "buckets": self.buckets, "deleted": Binary(dead.tobytes())}


@dataclass
class Meta:
    segments: list[SegmentInfo]
    generation: int
    indexed_through: datetime | None
    fingerprint: str

    @classmethod
    def read(cls, doc: Mapping[str, Any]) -> Meta:
        segments = [
            SegmentInfo(
                s["name"], int(s["docs"]), int(s["buckets"]), set(np.frombuffer(s["deleted"], np.uint32).tolist())
            )
            for s in doc["segments"]
        ]
        return cls(segments, int(doc["generation"]), doc.get("indexed_through"), str(doc.get("fingerprint")))


def fingerprint(kit: TokenizerKit) -> str:
    """What the stored words depend on: format, segmenter, user dictionary and stop words."""
    text = "\n".join([str(FORMAT_VERSION), TOKENIZER_VERSION, *kit.terms, "", *sorted(kit.stopwords)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_meta(store: Store) -> Meta | None:
    doc = store.collection(COLLECTION).find_one({"_id": META_ID})
    return Meta.read(doc) if doc else None


def indexable(store: Store, query: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The enriched articles matching ``query``, with the fields the index reads."""
    return list(store.articles.find({**query, "enriched_at": {"$ne": None}}, projection=_PROJECTION))


def rebuild_index(store: Store, kit: TokenizerKit) -> int:
    """Index every enriched article afresh; returns how many."""
    docs = indexable(store, {})
    docs.sort(key=lambda d: str(d["_id"]))
    table = store.collection(COLLECTION)
    old = read_meta(store)
    segments = _write_segments(store, docs, kit)
    table.replace_one(
        {"_id": META_ID},
        _meta_doc(segments, (old.generation + 1) if old else 1, _latest(docs, None), fingerprint(kit)),
        upsert=True,
    )
    if old:
        _drop(store, [s.name for s in old.segments])
    return len(docs)


def index_articles(store: Store, docs: Sequence[Mapping[str, Any]], kit: TokenizerKit, *, retries: int = 3) -> None:
    """Add or replace ``docs`` in the index (their current text and fields), then merge what is due."""
    for attempt in range(retries):
        try:
            _update(store, docs, kit)
            return
        except IndexConflict:
            if attempt == retries - 1:
                raise
            logger.info("search index changed while it was updated; trying again")


def catch_up(store: Store, kit: TokenizerKit) -> Meta:
    """The index, made current: built when missing or cut by another tokenizer, new enrichments added."""
    meta = read_meta(store)
    if meta is None or meta.fingerprint != fingerprint(kit):
        logger.info("building the search index from every enriched article (once; ~1 min per 100k)")
        rebuild_index(store, kit)
    else:
        newer = {"$gt": meta.indexed_through} if meta.indexed_through else {"$ne": None}
        fresh = list(store.articles.find({"enriched_at": newer}, projection=_PROJECTION))
        if not fresh:
            return meta
        index_articles(store, fresh, kit)
    found = read_meta(store)
    assert found is not None
    return found


def _update(store: Store, docs: Sequence[Mapping[str, Any]], kit: TokenizerKit) -> None:
    meta = read_meta(store)
    if meta is None or meta.fingerprint != fingerprint(kit):
        rebuild_index(store, kit)
        return
    replaced = {id64(str(d["_id"])) for d in docs}
    _mark_deleted(store, meta, replaced)
    written = _write_segments(store, sorted(docs, key=lambda d: str(d["_id"])), kit)
    segments = meta.segments + written
    _swap(store, meta, segments, _latest(docs, meta.indexed_through), [])
    merge = _due_merge(segments)
    if merge:
        _merge(store, kit, merge)


def _merge(store: Store, kit: TokenizerKit, names: list[str]) -> None:
    meta = read_meta(store)
    if meta is None:
        return
    chosen = [s for s in meta.segments if s.name in names]
    live_ids: list[str] = []
    table = store.collection(COLLECTION)
    for doc in table.find({"_id": {"$in": [f"{s.name}:docs" for s in chosen]}}):
        info = next(s for s in chosen if f"{s.name}:docs" == doc["_id"])
        ids = decode_columns(doc).ids
        live_ids += [ids[i] for i in range(len(ids)) if i not in info.deleted]
    docs = sorted(indexable(store, {"_id": {"$in": live_ids}}), key=lambda d: str(d["_id"]))
    written = _write_segments(store, docs, kit)
    kept = [s for s in meta.segments if s.name not in names]
    _swap(store, meta, kept + written, meta.indexed_through, [s.name for s in chosen])


def _due_merge(segments: Sequence[SegmentInfo]) -> list[str]:
    """The segments to merge next: the first size class holding ``MERGE_FACTOR``, or one with many deletions."""
    for s in segments:
        if s.docs and len(s.deleted) * 3 > s.docs:
            return [s.name]
    classes: dict[int, list[SegmentInfo]] = {}
    for s in segments:
        if s.live * 2 <= SEGMENT_DOCS:
            level = 0 if s.live < SMALLEST_CLASS else int(math.log(s.live / SMALLEST_CLASS, MERGE_FACTOR)) + 1
            classes.setdefault(level, []).append(s)
    for _, group in sorted(classes.items()):
        if len(group) >= MERGE_FACTOR:
            return [s.name for s in group[:MERGE_FACTOR]]
    return []


def _write_segments(store: Store, docs: Sequence[Mapping[str, Any]], kit: TokenizerKit) -> list[SegmentInfo]:
    table = store.collection(COLLECTION)
    written = []
    for start in range(0, len(docs), SEGMENT_DOCS):
        chunk = docs[start : start + SEGMENT_DOCS]
        name = uuid.uuid4().hex[:12]
        segment = build_segment(chunk, kit)
        parts = encode(segment, name)
        for i in range(0, len(parts), 64):
            table.insert_many(parts[i : i + 64], ordered=False)
        written.append(SegmentInfo(name, len(chunk), buckets_for(len(segment.docs))))
    return written


def _mark_deleted(store: Store, meta: Meta, keys: set[int]) -> None:
    if not keys or not meta.segments:
        return
    wanted = np.fromiter(keys, np.int64, count=len(keys))
    projection = {"id64": 1}
    for doc in store.collection(COLLECTION).find(
        {"_id": {"$in": [f"{s.name}:docs" for s in meta.segments]}}, projection=projection
    ):
        info = next(s for s in meta.segments if f"{s.name}:docs" == doc["_id"])
        hits = np.flatnonzero(np.isin(np.frombuffer(doc["id64"], np.int64), wanted))
        info.deleted |= set(hits.tolist())


def _swap(store: Store, meta: Meta, segments: list[SegmentInfo], through: datetime | None, drop: list[str]) -> None:
    """Replace the meta document if nobody else did meanwhile; then drop the segments no longer listed."""
    new = _meta_doc(segments, meta.generation + 1, through, meta.fingerprint)
    result = store.collection(COLLECTION).replace_one({"_id": META_ID, "generation": meta.generation}, new)
    if result.matched_count == 0:
        _drop(store, [s.name for s in segments if s.name not in {m.name for m in meta.segments}])
        raise IndexConflict("the search index meta changed during the update")
    _drop(store, drop)


def _drop(store: Store, names: Iterable[str]) -> None:
    for name in names:
        store.collection(COLLECTION).delete_many({"_id": {"$regex": f"^{name}:"}})


def _meta_doc(segments: Sequence[SegmentInfo], generation: int, through: datetime | None, fp: str) -> dict[str, Any]:
    return {
        "segments": [s.record() for s in segments],
        "generation": generation,
        "indexed_through": through,
        "fingerprint": fp,
        "format": FORMAT_VERSION,
        "tokenizer": TOKENIZER_VERSION,
        "updated_at": datetime.now(SHANGHAI),
    }


def _latest(docs: Iterable[Mapping[str, Any]], before: datetime | None) -> datetime | None:
    times = [d["enriched_at"] for d in docs if isinstance(d.get("enriched_at"), datetime)]
    if before is not None:
        times.append(before)
    return max(times, default=None)


@dataclass
class Loaded:
    """What a query read: each segment's columns and live mask, and the index documents by ``_id``."""

    segments: list[SegmentInfo]
    columns: list[Columns]
    live: list[np.ndarray]
    parts: dict[str, dict[str, Any]]

    def postings_id(self, k: int, term: str) -> str:
        s = self.segments[k]
        return f"{s.name}:p{bucket(term, s.buckets)}"

    def fetch(self, store: Store, ids: Iterable[str]) -> None:
        """Read more index documents (position parts) into ``parts``."""
        wanted = [i for i in ids if i not in self.parts]
        if wanted:
            self.parts |= {d["_id"]: d for d in store.collection(COLLECTION).find({"_id": {"$in": wanted}})}


def load(store: Store, meta: Meta, terms: Sequence[str]) -> Loaded:
    """Columns of every segment and the postings buckets of ``terms``, in one query."""
    wanted = [f"{s.name}:docs" for s in meta.segments]
    wanted += [f"{s.name}:p{bucket(t, s.buckets)}" for s in meta.segments for t in terms]
    parts = {d["_id"]: d for d in store.collection(COLLECTION).find({"_id": {"$in": list(dict.fromkeys(wanted))}})}
    columns, live = [], []
    for s in meta.segments:
        doc = parts.get(f"{s.name}:docs")
        if doc is None:
            raise IndexConflict(f"segment {s.name} was merged away while it was read")
        c = decode_columns(doc)
        mask = np.ones(len(c.id64), bool)
        if s.deleted:
            mask[np.fromiter(s.deleted, np.int64, count=len(s.deleted))] = False
        columns.append(c)
        live.append(mask)
    return Loaded(list(meta.segments), columns, live, parts)
