"""Search index segments: postings with term frequencies and word positions, and per-article columns.

A segment indexes up to ``SEGMENT_DOCS`` articles, each under a local ordinal. Its postings say, for every
token, which articles hold it (ordinals ascending), how often (``tf``: a title occurrence counts
``TITLE_WEIGHT`` times) and where (word positions: title words first, then the body after a gap, so no
phrase spans the two; spaces are not words). Columns hold what ranking and filters read: a 64-bit id
(``id64``), the canonical copy's (``dup64``), the publication time in ms, the body length, source and
category codes. Everything is numpy, stored as BSON binaries (``encode``/``decode``): no I/O here.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np
from bson import Binary

from enrich.tokens import TokenizerKit

SEGMENT_DOCS = 65536  # positions of one common term stay a few MB: well under a 16 MB document
TITLE_WEIGHT = 3
POSTINGS_PER_BUCKET = 16384
PART_BYTES = 4 << 20
UNDATED = np.iinfo(np.int64).min
_HEX16 = re.compile(r"[0-9a-f]{16}")
_COLUMNS = ("id64", "dup64", "ts", "length", "source", "category")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def id64(value: str) -> int:
    """A 64-bit key of an article id, never 0: the id's own digits for aidaily's 16-hex ids, else a hash."""
    raw = (
        int(value, 16)
        if _HEX16.fullmatch(value)
        else int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest())
    )
    key = raw - (1 << 64) if raw >= 1 << 63 else raw
    return key or 1


# What enrichment reads of a body (the default of ENRICH_MAX_BODY_CHARS): a 5 MB page is stored whole
# but indexed, like it is tokenised, from its first characters only.
MAX_BODY_CHARS = 100_000


def body_text(doc: Mapping[str, Any]) -> str:
    """The text indexed as the body: the body, else the summary, up to ``MAX_BODY_CHARS`` (as enrichment reads it)."""
    body = doc.get("body") or doc.get("summary")
    return body[:MAX_BODY_CHARS] if isinstance(body, str) else ""


@dataclass
class Segment:
    """One segment's arrays; ``starts[t]:starts[t+1]`` are term ``terms[t]``'s postings."""

    ids: list[str]
    id64: np.ndarray
    dup64: np.ndarray
    ts: np.ndarray
    length: np.ndarray
    source: np.ndarray
    sources: list[str]
    category: np.ndarray
    categories: list[str]
    terms: list[str]
    starts: np.ndarray
    docs: np.ndarray
    tf: np.ndarray
    pstarts: np.ndarray
    pos: np.ndarray


class _WordIds(dict[str, int]):
    """Word -> term id (1, 2, ...) for tokens, 0 for other words, -1 for spaces; filled on first sight."""

    def __init__(self, kit: TokenizerKit) -> None:
        super().__init__()
        self.token = kit.vocabulary.__getitem__
        self.terms: list[str] = []

    def __missing__(self, word: str) -> int:
        if word.isspace():
            value = -1
        elif self.token(word):
            self.terms.append(word)
            value = len(self.terms)
        else:
            value = 0
        self[word] = value
        return value


def word_ids(kit: TokenizerKit, ids: _WordIds, text: str) -> np.ndarray:
    """The term ids of ``text``'s words in order, spaces left out (0 marks a word that is not a token)."""
    words = kit.cut(text)
    found = np.fromiter(map(ids.__getitem__, words), dtype=np.int32, count=len(words))
    return found[found >= 0]


def build_segment(docs: Sequence[Mapping[str, Any]], kit: TokenizerKit) -> Segment:
    """Index ``docs`` (``_id``, ``title``, ``body``/``summary``, ``published_at``, ``source``, ...) as one segment."""
    if len(docs) > SEGMENT_DOCS:
        raise ValueError(f"a segment holds at most {SEGMENT_DOCS} articles, not {len(docs)}")
    ids = _WordIds(kit)
    terms, ords, positions, weights = [], [], [], []
    for n, doc in enumerate(docs):
        title = word_ids(kit, ids, str(doc.get("title") or ""))
        body = word_ids(kit, ids, body_text(doc))
        for words, offset, each in ((title, 0, TITLE_WEIGHT), (body, len(title) + 1, 1)):
            at = np.flatnonzero(words > 0)
            terms.append(words[at])
            ords.append(np.full(len(at), n, dtype=np.int32))
            positions.append((at + offset).astype(np.uint32))
            weights.append(np.full(len(at), each, dtype=np.uint8))
    term = np.concatenate(terms) if terms else np.zeros(0, np.int32)
    ord_ = np.concatenate(ords) if ords else np.zeros(0, np.int32)
    pos = np.concatenate(positions) if positions else np.zeros(0, np.uint32)
    weight = np.concatenate(weights) if weights else np.zeros(0, np.uint8)
    order = np.lexsort((pos, ord_, term))
    term, ord_, pos, weight = term[order], ord_[order], pos[order], weight[order]
    key = term.astype(np.int64) << 20 | ord_
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, np.int64)
    tf = np.minimum(np.add.reduceat(weight, first, dtype=np.int64), 65535) if len(first) else np.zeros(0, np.int64)
    posting_term = term[first]
    return Segment(
        ids=[str(d["_id"]) for d in docs],
        id64=np.array([id64(str(d["_id"])) for d in docs], dtype=np.int64),
        dup64=np.array([id64(str(d["duplicate_of"])) if d.get("duplicate_of") else 0 for d in docs], dtype=np.int64),
        ts=np.array([millis(d.get("published_at")) for d in docs], dtype=np.int64),
        length=np.array([len(body_text(d)) for d in docs], dtype=np.int64),
        **_codes("source", "sources", [str(d.get("source") or "") for d in docs]),
        **_codes("category", "categories", [d.get("category") for d in docs]),
        terms=list(ids.terms),
        starts=np.searchsorted(posting_term, np.arange(1, len(ids.terms) + 2)).astype(np.int64),
        docs=ord_[first].astype(np.uint32),
        tf=tf.astype(np.uint16),
        pstarts=np.r_[first, len(pos)].astype(np.int64),
        pos=pos,
    )


def millis(value: Any) -> int:
    """Milliseconds since the epoch of a datetime, exactly (BSON dates hold milliseconds); else UNDATED.

    A naive datetime is UTC: what a MongoClient without ``tz_aware`` reads back.
    """
    if not isinstance(value, datetime):
        return int(UNDATED)
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return (aware - _EPOCH) // timedelta(milliseconds=1)


def _codes(column: str, vocabulary: str, values: Sequence[str | None]) -> dict[str, Any]:
    names = sorted({v for v in values if v is not None})
    code = {v: i for i, v in enumerate(names)}
    return {column: np.array([code[v] if v is not None else -1 for v in values], np.int16), vocabulary: names}


def bucket(term: str, buckets: int) -> int:
    return zlib.crc32(term.encode()) % buckets


def buckets_for(postings: int) -> int:
    """How many postings buckets a segment with this many postings has."""
    return max(1, postings // POSTINGS_PER_BUCKET)


def encode(segment: Segment, name: str) -> list[dict[str, Any]]:
    """The segment as BSON documents: ``NAME:docs``, postings buckets ``NAME:pB``, position parts ``NAME:xB.K``."""
    out: list[dict[str, Any]] = [
        {
            "_id": f"{name}:docs",
            "ids": Binary("\0".join(segment.ids).encode()),
            **{
                k: Binary(getattr(segment, k).tobytes())
                for k in ("id64", "dup64", "ts", "length", "source", "category")
            },
            "sources": segment.sources,
            "categories": segment.categories,
            "buckets": buckets_for(len(segment.docs)),
        }
    ]
    buckets = buckets_for(len(segment.docs))
    members: dict[int, list[int]] = {}
    for t, term in enumerate(segment.terms):
        members.setdefault(bucket(term, buckets), []).append(t)
    for b, ts in sorted(members.items()):
        out += _encode_bucket(segment, f"{name}:p{b}", f"{name}:x{b}", ts)
    return out


def _encode_bucket(segment: Segment, postings_id: str, positions_id: str, terms: list[int]) -> list[dict[str, Any]]:
    s = segment
    spans = [(int(s.starts[t]), int(s.starts[t + 1])) for t in terms]
    parts: list[list[int]] = [[]]
    size = 0
    for i, (a, b) in enumerate(spans):
        nbytes = int(s.pstarts[b] - s.pstarts[a]) * 4 + (b - a) * 8
        if parts[-1] and size + nbytes > PART_BYTES:
            parts.append([])
            size = 0
        parts[-1].append(i)
        size += nbytes
    xpart = [0] * len(terms)
    docs: list[dict[str, Any]] = []
    for k, part in enumerate(parts):
        lengths = [0]
        pieces: list[np.ndarray] = []
        pos: list[np.ndarray] = []
        for i in part:
            xpart[i] = k
            a, b = spans[i]
            base = int(s.pstarts[a])
            pieces.append(s.pstarts[a:b] - base + sum(len(p) for p in pos))
            pos.append(s.pos[base : int(s.pstarts[b])])
            lengths.append(lengths[-1] + b - a)
        total = sum(len(p) for p in pos)
        pstarts = np.r_[np.concatenate(pieces) if pieces else np.zeros(0, np.int64), total].astype(np.int64)
        docs.append(
            {
                "_id": f"{positions_id}.{k}",
                "terms": [s.terms[terms[i]] for i in part],
                "pterm": Binary(np.array(lengths, np.int64).tobytes()),
                "pstarts": Binary(pstarts.tobytes()),
                "pos": Binary(np.concatenate(pos).astype(np.uint32).tobytes() if pos else b""),
            }
        )
    offsets = np.cumsum([0] + [b - a for a, b in spans]).astype(np.int64)
    postings = {
        "_id": postings_id,
        "terms": [s.terms[t] for t in terms],
        "starts": Binary(offsets.tobytes()),
        "docs": Binary(np.concatenate([s.docs[a:b] for a, b in spans]).tobytes()),
        "tf": Binary(np.concatenate([s.tf[a:b] for a, b in spans]).tobytes()),
        "xpart": xpart,
    }
    return [postings, *docs]


@dataclass
class Columns:
    """A stored segment's per-article columns, decoded (the ids only when asked for)."""

    raw_ids: bytes
    id64: np.ndarray
    dup64: np.ndarray
    ts: np.ndarray
    length: np.ndarray
    source: np.ndarray
    sources: list[str]
    category: np.ndarray
    categories: list[str]

    @cached_property
    def ids(self) -> list[str]:
        return self.raw_ids.decode().split("\0") if self.raw_ids else []


def decode_columns(doc: Mapping[str, Any]) -> Columns:
    return Columns(
        raw_ids=bytes(doc["ids"]),
        id64=np.frombuffer(doc["id64"], np.int64),
        dup64=np.frombuffer(doc["dup64"], np.int64),
        ts=np.frombuffer(doc["ts"], np.int64),
        length=np.frombuffer(doc["length"], np.int64),
        source=np.frombuffer(doc["source"], np.int16),
        sources=list(doc["sources"]),
        category=np.frombuffer(doc["category"], np.int16),
        categories=list(doc["categories"]),
    )


def term_postings(doc: Mapping[str, Any], term: str) -> tuple[np.ndarray, np.ndarray, int] | None:
    """``(ordinals, tf, position part)`` of ``term`` in a postings bucket document, or None when absent."""
    try:
        i = doc["terms"].index(term)
    except ValueError:
        return None
    starts = np.frombuffer(doc["starts"], np.int64)
    a, b = int(starts[i]), int(starts[i + 1])
    return np.frombuffer(doc["docs"], np.uint32)[a:b], np.frombuffer(doc["tf"], np.uint16)[a:b], int(doc["xpart"][i])


def term_positions(doc: Mapping[str, Any], term: str) -> tuple[np.ndarray, np.ndarray]:
    """``(pstarts, pos)`` of ``term`` in a position part: posting j's positions are ``pos[pstarts[j]:pstarts[j+1]]``."""
    i = doc["terms"].index(term)
    pterm = np.frombuffer(doc["pterm"], np.int64)
    pstarts = np.frombuffer(doc["pstarts"], np.int64)
    return pstarts[int(pterm[i]) : int(pterm[i + 1]) + 1], np.frombuffer(doc["pos"], np.uint32)
