"""Exact and near duplicates, and which copy is canonical: the credited original publisher, else the earliest."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from crawler.sources import BUILTIN_SOURCES

# Publisher names as reposts credit them ("来源：机器之心", "本文来自微信公众号：量子位"), to source ids.
PUBLISHER_ALIASES: dict[str, str] = {s.name.lower(): s.id for s in BUILTIN_SOURCES.values()} | {
    "36kr": "36kr",
    "ithome": "ithome",
    "机器之心pro": "jiqizhixin",
    "qbitai": "qbitai",
    "新智元ai": "aiera",
    "oschina": "oschina",
    "aibase资讯": "aibase",
}
_CREDIT = re.compile(r"来源|来自|转载自|转自|出处|原文首发于|首发于|作者\s*[|｜]")
# Credits sit in the first or last lines of a repost; a name deep in the text is a mention, not a credit.
_CREDIT_LINES = 3
_CREDIT_SPAN = 24
_NOT_TEXT = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")
SHINGLE = 5
MIN_KEYED_CHARS = 20


@dataclass(frozen=True)
class DupDoc:
    """What deduplication needs to know of one article."""

    id: str
    url: str
    source: str
    published_at: datetime | None
    title: str
    body: str
    key: str | None = None  # content_key(title, body), computed once by the caller

    @cached_property
    def credit(self) -> str | None:
        """The source this article credits as its original publisher: read once, asked of a group's members daily."""
        return credited_source(self.body)

    @property
    def order_key(self) -> tuple[bool, datetime | None, str]:
        """Earliest first; undated articles last; ties by id."""
        return (self.published_at is None, self.published_at, self.id)


@dataclass(frozen=True)
class Mark:
    """An article's duplicate status: the canonical copy's id and how it matched, or (None, None)."""

    duplicate_of: str | None = None
    kind: str | None = None


def normalized_text(title: str, body: str) -> str:
    """Title and body with case, spaces and punctuation removed: what reposts rarely change."""
    return _NOT_TEXT.sub("", f"{title}\n{body}".lower())


def content_key(title: str, body: str) -> str | None:
    """Hash of the normalised text: equal for copies that differ only in spacing or punctuation.

    None for texts too short to tell two articles apart (an empty body under a generic title).
    """
    text = normalized_text(title, body)
    return hashlib.sha256(text.encode()).hexdigest() if len(text) >= MIN_KEYED_CHARS else None


def credited_source(body: str, aliases: Mapping[str, str] = PUBLISHER_ALIASES) -> str | None:
    """The source id a repost credits as its original publisher, if any."""
    lines = [line for line in body.splitlines() if line.strip()]
    edges = lines[:_CREDIT_LINES] + lines[-_CREDIT_LINES:]
    names = _LONGEST_FIRST if aliases is PUBLISHER_ALIASES else _longest_first(aliases)
    for line in edges:
        low = line.lower()
        for match in _CREDIT.finditer(low):
            span = low[match.end() : match.end() + _CREDIT_SPAN]
            for name in names:
                if name in span:
                    return aliases[name]
    return None


def _longest_first(aliases: Mapping[str, str]) -> list[str]:
    return sorted(aliases, key=lambda n: (-len(n), n))


_LONGEST_FIRST = _longest_first(PUBLISHER_ALIASES)


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    if len(text) <= size:
        return {text}
    return {text[i : i + size] for i in range(len(text) - size + 1)}


def containment(a: set[str], b: set[str]) -> float:
    """Share of the smaller shingle set found in the other: a trimmed repost still scores high."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & large) / len(small) if small else 0.0


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def verified_near_pairs(
    docs: Sequence[DupDoc], candidates: Iterable[tuple[int, int]], *, min_containment: float
) -> list[tuple[int, int]]:
    """The candidate pairs whose character shingles overlap enough to be the same text."""
    cache: dict[int, set[str]] = {}

    def shingles_of(i: int) -> set[str]:
        if i not in cache:
            cache[i] = shingles(normalized_text(docs[i].title, docs[i].body))
        return cache[i]

    return [(i, j) for i, j in candidates if containment(shingles_of(i), shingles_of(j)) >= min_containment]


def find_duplicates(
    docs: Sequence[DupDoc],
    near_pairs: Iterable[tuple[int, int]],
    *,
    decided: Mapping[int, Mark] | None = None,
) -> list[Mark]:
    """Each article's duplicate mark, from exact keys (canonical URL, normalised content) and near pairs.

    ``decided`` holds stored marks of context articles: a group that already points at a copy
    outside ``docs`` keeps pointing there. Within a group the canonical copy is the credited
    original publisher's (earliest of them), else the earliest article, ties by id.
    """
    decided = decided or {}
    union = _UnionFind(len(docs))
    keys = [d.key for d in docs]
    first_by_key: dict[str, int] = {}
    for i, doc in enumerate(docs):
        for key in (f"url:{doc.url}", f"text:{keys[i]}" if keys[i] else ""):
            if not key:
                continue
            if key in first_by_key:
                union.union(first_by_key[key], i)
            else:
                first_by_key[key] = i
    for i, j in near_pairs:
        union.union(i, j)
    index_of = {d.id: i for i, d in enumerate(docs)}
    for i, mark in decided.items():
        if mark.duplicate_of in index_of:
            union.union(i, index_of[mark.duplicate_of])
    groups: dict[int, list[int]] = {}
    for i in range(len(docs)):
        groups.setdefault(union.find(i), []).append(i)
    marks = [Mark() for _ in docs]
    for members in groups.values():
        if len(members) == 1:
            continue
        canonical_id = _canonical(docs, members, decided, index_of)
        canonical = index_of.get(canonical_id)
        for i in members:
            if docs[i].id == canonical_id:
                continue
            exact = canonical is not None and (
                docs[i].url == docs[canonical].url or (keys[i] is not None and keys[i] == keys[canonical])
            )
            marks[i] = Mark(canonical_id, "exact" if exact else "near")
    return marks


def _canonical(
    docs: Sequence[DupDoc], members: list[int], decided: Mapping[int, Mark], index_of: Mapping[str, int]
) -> str:
    stored = (decided.get(i) for i in members)
    outside = sorted(m.duplicate_of for m in stored if m and m.duplicate_of and m.duplicate_of not in index_of)
    if outside:
        return outside[0]
    credited = {docs[i].credit for i in members} - {None}
    originals = [i for i in members if docs[i].source in credited and docs[i].credit is None]
    pick_from = originals or members
    return docs[min(pick_from, key=lambda i: docs[i].order_key)].id
