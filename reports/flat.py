"""Articles as flat rows for CSV and Parquet exports: a fixed, documented column list (docs/SCHEMA.md)."""

from __future__ import annotations

import csv
import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import IO, Any

from crawler.dates import SHANGHAI
from crawler.export import date_range_query
from crawler.store import Store

LIST_SEPARATOR = "|"  # joins keywords, tags and images: none of them holds a "|"

# (column, type) in export order; the type is the Parquet column's (CSV writes text).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "string"),
    ("url", "string"),
    ("source", "string"),
    ("source_name", "string"),
    ("kind", "string"),
    ("title", "string"),
    ("author", "string"),
    ("published_at", "timestamp"),
    ("published_raw", "string"),
    ("fetched_at", "timestamp"),
    ("first_seen_at", "timestamp"),
    ("updated_at", "timestamp"),
    ("version", "int"),
    ("summary", "string"),
    ("body", "string"),
    ("tags", "list"),
    ("images", "list"),
    ("content_hash", "string"),
    ("category", "string"),
    ("category_confidence", "float"),
    ("is_ai", "bool"),
    ("ai_score", "float"),
    ("cluster_id", "string"),
    ("duplicate_of", "string"),
    ("duplicate_kind", "string"),
    ("keywords", "list"),
    ("enriched_at", "timestamp"),
    ("enrich_version", "string"),
)
COLUMN_NAMES = tuple(name for name, _ in COLUMNS)


def export_docs(
    store: Store, since: date | None, until: date | None, sources: Sequence[str] = ()
) -> Iterator[dict[str, Any]]:
    """Articles of the date range (and sources), oldest first, ties by id.

    Several sources are read one indexed ``(source, published_at)`` query each and merged here:
    SecantusDB scans the whole collection for ``{"source": {"$in": [...]}, "published_at": ...}``.
    """
    dates = date_range_query(since, until)
    order = [("published_at", 1), ("_id", 1)]
    if not sources:
        yield from store.find_articles(dates, sort=order)
        return
    cursors = [store.find_articles({"source": s, **dates}, sort=order) for s in dict.fromkeys(sources)]
    yield from heapq.merge(*cursors, key=_export_order)


def _export_order(doc: Mapping[str, Any]) -> tuple[int, float, str]:
    when = doc.get("published_at")
    return (1, when.timestamp(), str(doc["_id"])) if isinstance(when, datetime) else (0, 0.0, str(doc["_id"]))


def flat_row(doc: Mapping[str, Any]) -> dict[str, Any]:
    """One article as the export columns: lists joined with ``|``, datetimes aware in Asia/Shanghai."""
    row: dict[str, Any] = {}
    for name, kind in COLUMNS:
        value = doc.get("_id" if name == "id" else name)
        if kind == "list":
            value = LIST_SEPARATOR.join(str(v) for v in value) if value else ""
        elif kind == "timestamp" and isinstance(value, datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=SHANGHAI)).astimezone(SHANGHAI)
        elif kind == "timestamp":
            value = None
        row[name] = value
    return row


def write_csv(docs: Iterable[Mapping[str, Any]], stream: IO[str]) -> int:
    """CSV with a header row; datetimes in ISO 8601 with +08:00, empty cells for missing values."""
    writer = csv.DictWriter(stream, fieldnames=COLUMN_NAMES, lineterminator="\n")
    writer.writeheader()
    count = 0
    for doc in docs:
        row = flat_row(doc)
        writer.writerow({k: _csv_cell(v) for k, v in row.items()})
        count += 1
    return count


def write_parquet(docs: Iterable[Mapping[str, Any]], sink: Any, *, batch: int = 5000) -> int:
    """Parquet with typed columns (timestamps in microseconds, tz Asia/Shanghai), written in row groups."""
    import pyarrow as pa  # heavy: only the Parquet export pays for it
    import pyarrow.parquet as pq

    types = {
        "string": pa.string(),
        "list": pa.string(),
        "timestamp": pa.timestamp("us", tz="Asia/Shanghai"),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
    }
    schema = pa.schema([(name, types[kind]) for name, kind in COLUMNS])
    count = 0
    with pq.ParquetWriter(sink, schema) as writer:
        rows: list[dict[str, Any]] = []
        for doc in docs:
            rows.append(flat_row(doc))
            count += 1
            if len(rows) >= batch:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        # An empty export still gets a file with the full schema.
        if rows or count == 0:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    return count


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
