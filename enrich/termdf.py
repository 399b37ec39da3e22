"""Document frequencies of tokens: the ``term_df`` collection that search's IDF and index choice read.

Counting a common term's articles on the server walks every one of them (tens of thousands at
100k articles, seconds on SecantusDB), so the counts are kept in a small table instead:
``{"_id": term, "df": articles whose tokens hold it}``, plus one bookkeeping document under the
empty term (never a token: tokens have at least two characters) with ``articles`` (how many
tokenised articles were counted, the N of IDF), ``first_published_at`` / ``last_published_at``
(their span, which search uses to size its date windows) and ``built_at``.

The table is rebuilt from the stored tokens when it is missing or older than ``MAX_AGE``
(about 35 s at 100k articles on SecantusDB); ``add_to_term_df`` keeps it current in between,
for enrichment to call. Nothing cheaper tells staleness: on SecantusDB even
``estimated_document_count`` walks the collection (a second at 100k). IDF tolerates counts
that lag a little behind.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import UpdateOne

from crawler.dates import SHANGHAI
from crawler.store import Store

logger = logging.getLogger(__name__)

COLLECTION = "term_df"
META_ID = ""
MAX_AGE = timedelta(days=7)
_BATCH = 5000
# Term updates per command (~0.2 s each on SecantusDB): far from any socket timeout.
UPDATE_BATCH = 1000


def count_terms(token_lists: Iterable[Sequence[str]]) -> tuple[Counter[str], int]:
    """How many of the token lists hold each term, and how many lists there were."""
    counts: Counter[str] = Counter()
    documents = 0
    for tokens in token_lists:
        counts.update(set(tokens))
        documents += 1
    return counts, documents


def rebuild_term_df(store: Store, *, now: datetime | None = None) -> int:
    """Count every stored article's tokens into ``term_df`` afresh; returns the number of terms."""
    cursor = store.articles.find({"tokens": {"$exists": True}}, projection={"tokens": 1, "published_at": 1})
    dates: list[datetime] = []

    def token_lists() -> Iterable[Sequence[str]]:
        for doc in cursor:
            if isinstance(doc.get("published_at"), datetime):
                dates.append(doc["published_at"])
            yield doc.get("tokens") or ()

    counts, documents = count_terms(token_lists())
    table = store.collection(COLLECTION)
    table.delete_many({})
    rows = [{"_id": term, "df": df} for term, df in sorted(counts.items())]
    for start in range(0, len(rows), _BATCH):
        table.insert_many(rows[start : start + _BATCH], ordered=False)
    meta = {
        "articles": documents,
        "first_published_at": min(dates, default=None),
        "last_published_at": max(dates, default=None),
        "built_at": now or datetime.now(SHANGHAI),
    }
    table.replace_one({"_id": META_ID}, meta, upsert=True)
    return len(rows)


def add_to_term_df(store: Store, added: Iterable[Sequence[str]], removed: Iterable[Sequence[str]] = ()) -> None:
    """Keep the table current after enrichment: ``added`` are new token lists, ``removed`` replaced ones.

    Written in commands of ``UPDATE_BATCH`` terms: one command of a huge page's 190k terms ran
    past the client's 30 s socket timeout on SecantusDB, and the server went on writing after
    the client had given up.
    """
    plus, n_plus = count_terms(added)
    minus, n_minus = count_terms(removed)
    change = Counter(plus)
    change.subtract(minus)
    ops = [UpdateOne({"_id": t}, {"$inc": {"df": n}}, upsert=True) for t, n in sorted(change.items()) if n]
    ops.append(UpdateOne({"_id": META_ID}, {"$inc": {"articles": n_plus - n_minus}}))
    table = store.collection(COLLECTION)
    for start in range(0, len(ops), UPDATE_BATCH):
        table.bulk_write(ops[start : start + UPDATE_BATCH], ordered=False)


def term_table(
    store: Store, terms: Sequence[str], *, now: datetime | None = None
) -> tuple[dict[str, int], dict[str, Any]]:
    """``df`` of each known term, and the bookkeeping document; rebuilds a missing or old table first."""
    table = store.collection(COLLECTION)
    rows = {d["_id"]: d for d in table.find({"_id": {"$in": [META_ID, *terms]}})}
    meta = rows.get(META_ID)
    if meta is None or meta["built_at"] < (now or datetime.now(SHANGHAI)) - MAX_AGE:
        logger.info("counting every article's tokens into %s (once a week; ~35 s at 100k articles)", COLLECTION)
        rebuild_term_df(store, now=now)
        rows = {d["_id"]: d for d in table.find({"_id": {"$in": [META_ID, *terms]}})}
        meta = rows[META_ID]
    return {t: int(rows[t]["df"]) for t in terms if t in rows}, meta


def document_frequencies(store: Store, terms: Sequence[str]) -> tuple[dict[str, int], int]:
    """``df`` of each term (absent when unknown) and the number of articles counted."""
    df, meta = term_table(store, terms)
    return df, int(meta["articles"])
