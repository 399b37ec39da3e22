"""Brute-force search: every stored article tokenised and scored in plain Python, to check the index against."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from crawler.dates import SHANGHAI
from crawler.export import day_start
from enrich.tokens import TokenizerKit
from reports.search import LENGTH_PIVOT, SearchQuery

TITLE_WEIGHT = 3


def _words(kit: TokenizerKit, text: str) -> list[str]:
    return [w for w in kit.cut(text) if not w.isspace()]


def _body(doc: Mapping[str, Any]) -> str:
    return str(doc.get("body") or doc.get("summary") or "")


def reference_ranking(
    docs: Sequence[Mapping[str, Any]], query: SearchQuery, kit: TokenizerKit
) -> list[tuple[str, float]]:
    """``(id, score)`` of every enriched article matching ``query``, best first, by the documented rules."""
    indexed = [d for d in docs if d.get("enriched_at") is not None]
    words = {d["_id"]: (_words(kit, str(d.get("title") or "")), _words(kit, _body(d))) for d in indexed}

    def tokens(_id: str) -> set[str]:
        title, body = words[_id]
        return {w for w in title + body if kit.vocabulary[w]}

    total = len(indexed)
    average = sum(len(_body(d)) for d in indexed) / total
    df = {t: sum(1 for d in indexed if t in tokens(d["_id"])) for t in query.terms}
    found = []
    for doc in indexed:
        title, body = words[doc["_id"]]
        if not set(query.terms) <= tokens(doc["_id"]) or not _passes(doc, query):
            continue
        stream = [*title, "", *body]  # the gap: no phrase runs from the title into the body
        if not all(_has_phrase(kit, stream, phrase) for phrase in query.phrases):
            continue
        score = 0.0
        for term in query.terms:
            tf = TITLE_WEIGHT * title.count(term) + body.count(term)
            score += (1.0 + math.log(tf)) * (math.log((1 + total) / (1 + df[term])) + 1.0)
        length = len(_body(doc)) or 1
        score = score / ((1.0 - LENGTH_PIVOT) + LENGTH_PIVOT * length / average)
        when = doc.get("published_at")
        found.append((-score, -(when.timestamp() if isinstance(when, datetime) else 0.0), str(doc["_id"])))
    found.sort()
    return [(_id, -score) for score, _, _id in found]


def _passes(doc: Mapping[str, Any], query: SearchQuery) -> bool:
    when = doc.get("published_at")
    if query.since and not (isinstance(when, datetime) and when >= day_start(query.since)):
        return False
    if query.until and not (isinstance(when, datetime) and when < day_start(query.until + timedelta(days=1))):
        return False
    if query.sources and doc.get("source") not in query.sources:
        return False
    if query.category is not None and doc.get("category") != query.category:
        return False
    return query.cluster is None or doc.get("cluster_id") == query.cluster


def _has_phrase(kit: TokenizerKit, stream: list[str], phrase: str) -> bool:
    pattern = [(w, i) for i, w in enumerate(_words(kit, phrase)) if kit.vocabulary[w]]
    return any(
        all(0 <= start + i < len(stream) and stream[start + i] == w for w, i in pattern) for start in range(len(stream))
    )


def recombined(docs: Sequence[Mapping[str, Any]], count: int, seed: int = 3) -> list[dict[str, Any]]:
    """``count`` more articles recombined from the lines of ``docs``: copies, equal titles, undated ones, ties."""
    rng = random.Random(seed)
    lines = [line for d in docs for line in str(d["body"]).splitlines() if line.strip()]
    titles = [str(d["title"]) for d in docs]
    out: list[dict[str, Any]] = []
    for n in range(count):
        when = datetime(2026, 1, 1, tzinfo=SHANGHAI) + timedelta(hours=rng.randrange(24 * 25))
        doc: dict[str, Any] = {
            "_id": f"r{n:05d}" if n % 7 else f"{rng.getrandbits(64):016x}",
            "url": f"https://example.test/r/{n}",
            "source": rng.choice(["36kr", "ithome", "qbitai", "aibase"]),
            "source_name": "x",
            "title": rng.choice(titles),
            "body": "\n".join(rng.sample(lines, rng.randint(1, 4))),
            "published_at": None if n % 23 == 0 else when,
            "category": rng.choice(["技术底座", "行业动态", "产业商业", None]),
            "cluster_id": f"rc{n % 9}",
            "duplicate_of": None,
            "enriched_at": when,
        }
        if out and n % 5 == 0:  # a copy: same text and time, another id (ties on score and time)
            original = rng.choice(out)
            doc |= {k: original[k] for k in ("title", "body", "published_at")}
            doc["duplicate_of"] = original["_id"]
        out.append(doc)
    return out
