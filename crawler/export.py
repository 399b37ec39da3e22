"""Article documents as plain JSON-ready records, for exports."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from crawler.dates import SHANGHAI


def day_start(day: date) -> datetime:
    """Midnight of ``day`` in Asia/Shanghai: the day boundary everywhere in aidaily."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def date_range_query(since: date | None, until: date | None, field: str = "published_at") -> dict[str, Any]:
    """A filter for ``since <= field < until + 1 day``, days in Asia/Shanghai, both ends optional."""
    bounds: dict[str, Any] = {}
    if since:
        bounds["$gte"] = day_start(since)
    if until:
        bounds["$lt"] = day_start(until + timedelta(days=1))
    return {field: bounds} if bounds else {}


def to_record(doc: Mapping[str, Any]) -> dict[str, Any]:
    """``doc`` with ``_id`` as ``id`` and every datetime in ISO 8601 with its +08:00 offset."""
    record: dict[str, Any] = {"id": doc["_id"]}
    for key, value in doc.items():
        if key != "_id":
            record[key] = _plain(value)
    return record


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
        return aware.astimezone(SHANGHAI).isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
