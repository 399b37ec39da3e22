"""JSON Lines records as article documents for ``aidaily enrich --input``: checked, never merged by accident."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from crawler.dates import parse_published


class RecordError(ValueError):
    """A record that cannot be enriched; the message names its line."""


def read_records(lines: Iterable[str], *, now: datetime, name: str = "input") -> list[dict[str, Any]]:
    """Article documents from JSON Lines: ``id`` becomes ``_id``, dates become datetimes.

    A record needs an id, a title and dates that parse (a one-line error names the line otherwise). A record
    without a ``url`` gets a placeholder unique to its id, so missing URLs never make different records copies
    of one another.
    """
    docs: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RecordError(f"{name}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise RecordError(f"{name}:{number}: not a JSON object")
        doc_id = str(record.get("id") or record.get("_id") or "")
        if not doc_id:
            raise RecordError(f"{name}:{number}: the record has no id")
        if not isinstance(record.get("title"), str) or not record["title"].strip():
            raise RecordError(f"{name}:{number}: record {doc_id!r} has no title")
        if doc_id in seen:
            raise RecordError(f"{name}:{number}: id {doc_id!r} is also on line {seen[doc_id]}")
        seen[doc_id] = number
        doc = {k: v for k, v in record.items() if k != "id"} | {"_id": doc_id}
        if not isinstance(doc.get("url"), str) or not doc["url"].strip():
            doc["url"] = f"urn:aidaily:record:{doc_id}"  # unique: a missing URL is not a shared URL
        for key in ("published_at", "first_seen_at", "fetched_at"):
            given = doc.get(key)
            if given is None:
                continue
            doc[key] = parse_published(given, now=now) if given != "" else None  # "": no date, as null
            # Enriched as undated, the record would drop out of every day's report unnoticed.
            if doc[key] is None and given != "":
                raise RecordError(f"{name}:{number}: record {doc_id!r} has a {key} that is not a date: {given!r}")
        docs.append(doc)
    return docs
