"""Health flags on ``crawl_runs`` documents: judging a finished run, and the flags a report shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from crawler.health import Flag, health_flags
from crawler.store import Store


def judge_run(
    store: Store,
    run_id: str,
    *,
    day: date,
    history_runs: int,
    margin: float,
    min_stored: int,
    expected_spiders: Iterable[str] = (),
    names: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[Flag]]:
    """Judge run ``run_id`` against the ``history_runs`` runs before it; store its flags and report day."""
    run = store.runs.find_one({"_id": run_id}) or {"_id": run_id}
    query: dict[str, Any] = {"_id": {"$ne": run_id}}
    if run.get("started_at") is not None:
        query["started_at"] = {"$lt": run["started_at"]}
    history = list(store.runs.find(query, sort=[("started_at", -1), ("_id", -1)], limit=history_runs))
    flags = health_flags(
        run, history, margin=margin, min_stored=min_stored, expected_spiders=expected_spiders, names=names
    )
    fields = {"health_flags": [f.to_doc() for f in flags], "date": day.isoformat()}
    store.runs.update_one({"_id": run_id}, {"$set": fields}, upsert=True)
    return run | fields, flags


def report_flags(store: Store, day: date) -> list[str]:
    """The flag messages of the latest judged run for ``day`` or before it (a report footer's health line).

    A judged run belongs to the day it was judged for (``date``, set by ``judge_run``), not to the
    day it ran: a re-run for an old day shows that day's state. Only the stored documents decide,
    so the same database gives the same report.
    """
    query = {"health_flags": {"$exists": True}, "date": {"$lte": day.isoformat()}}
    run = store.runs.find_one(query, sort=[("date", -1), ("started_at", -1), ("_id", -1)])
    if run is None:
        return []
    return [str(flag["message"]) for flag in run["health_flags"]]
