"""The end-of-crawl summary of ``aidaily crawl``: a line per spider, a line per source that fetched nothing (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from crawler.health import source_figures
from crawler.reachability import Fetch, every_source_unreachable, fetch_figures
from crawler.sources import source_name
from crawler.tally import Tally, lost_by_source, summed, tally, tally_text

EXIT_OK, EXIT_UNHEALTHY = 0, 1
# The store's usual figures; any other ``aidaily/store/*`` or ``aidaily/spool/*`` counter is shown as it is.
STORE_USUAL = ("inserted", "updated", "unchanged", "replayed", "spooled", "spool_pending")
LOST = "store/unkept"  # articles neither written nor spooled: lost, whatever the reason


def spider_line(name: str, stats: Mapping[str, Any]) -> str:
    """``ithome: found 5, new 5, updated 0, unchanged 0`` (``crawler.tally``; or lmarena's snapshots)."""
    if any(k.startswith("aidaily/leaderboard/") for k in stats):
        failed = sum(v for k, v in stats.items() if k.startswith("aidaily/leaderboard/failed/"))
        board = {k.removeprefix("aidaily/leaderboard/"): v for k, v in stats.items()}
        line = (
            f"{name}: found {board.get('snapshots', 0)} leaderboard snapshots, new {board.get('inserted', 0)}, "
            f"updated {board.get('updated', 0)}, unchanged {board.get('unchanged', 0)}, "
            f"not stored {board.get('unsaved', 0)}"
        )
        line += f", failed {failed}" if failed else ""
    else:
        counts, notes = spider_tally(stats)
        line = f"{name}: {tally_text(counts, (f'{note} {n}' for note, n in notes.items()))}"
    errors = stats.get("log_count/ERROR", 0)
    return line + (f", {errors} errors logged" if errors else "")


def spider_tally(stats: Mapping[str, Any]) -> tuple[Tally, dict[str, int]]:
    """A spider's links summed over the sources it fed, and its sources' notes (``api_fallback``, ...)."""
    figures = source_figures(stats)
    lost = lost_by_source(stats)
    notes: dict[str, int] = {}
    for each in figures.values():
        for note, n in each["notes"].items():
            notes[note] = notes.get(note, 0) + n
    sources = sorted(set(figures) | set(lost))
    return summed(tally(figures.get(s, {}), lost.get(s, {})) for s in sources), notes


def spider_fetch(name: str, stats: Mapping[str, Any]) -> dict[str, Fetch]:
    """A spider's request outcomes per source (its own name stands in when it counted no source)."""
    return fetch_figures(stats, sources=sorted(source_figures(stats)) or [name])


def problems(name: str, stats: Mapping[str, Any], names: Mapping[str, str] | None = None) -> Iterator[tuple[bool, str]]:
    """``(failed, line)`` under a spider's line: a source that fetched nothing or an unclean finish
    (failed), requests that failed among answered ones (not failed: the source still answered)."""
    extra = dict(names or {})
    for source, fetch in spider_fetch(name, stats).items():
        shown = source_name(source, extra)
        label = f"{shown} ({source})" if shown != source else source
        if fetch.unreachable:
            yield True, f"  FAILED {label}: {fetch.summary()}"
        elif fetch.failures:
            yield False, f"  {label}: {fetch.failures} of {fetch.requests} requests failed ({fetch.reasons()})"
    reason = stats.get("finish_reason")
    if reason is not None and reason != "finished":
        yield True, f"  FAILED {name}: the spider did not finish ({reason})"


def store_counters(all_stats: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The store's and spool's unusual counters summed over spiders (``store/unkept``, ``spool/quarantined``, ...)."""
    found: dict[str, int] = {}
    for stats in all_stats:
        for key, value in stats.items():
            if not isinstance(value, int) or not value:
                continue
            unusual_store = key.startswith("aidaily/store/") and key.rsplit("/", 1)[-1] not in STORE_USUAL
            if unusual_store or key.startswith("aidaily/spool/"):
                name = key[len("aidaily/") :]
                found[name] = found.get(name, 0) + value
    return dict(sorted(found.items()))


def spool_pending(all_stats: Iterable[Mapping[str, Any]]) -> int:
    """Articles waiting in the spool when the last spider closed (one spool for all of them)."""
    return max((int(s.get("aidaily/store/spool_pending", 0)) for s in all_stats), default=0)


def replayed_line(all_stats: Iterable[Mapping[str, Any]]) -> list[str]:
    """A line for the articles of an earlier crawl's spool this one wrote: no source line counts them."""
    replayed = sum(int(s.get("aidaily/store/replayed", 0)) for s in all_stats)
    return [f"database: {replayed} articles from the spool written to MongoDB"] if replayed else []


def store_lines(all_stats: Iterable[Mapping[str, Any]]) -> list[str]:
    """Lines for spooled articles written or still waiting, and one for the store's unusual counters."""
    stats = list(all_stats)
    lines = replayed_line(stats)
    pending = spool_pending(stats)
    if pending:
        lines.append(
            f"database: {pending} articles wait in the spool (MongoDB was unreachable); `aidaily replay` writes them"
        )
    unusual = store_counters(stats)
    if unusual:
        lines.append("store: " + ", ".join(f"{name} {n}" for name, n in unusual.items()))
    return lines


def crawl_summary(
    results: Mapping[str, Mapping[str, Any]], names: Mapping[str, str] | None = None
) -> tuple[list[str], int]:
    """The summary lines of a crawl (``{spider: final stats}``) and its exit status.

    Exit status 1 when a source fetched nothing (no request answered), a spider did not finish, or
    articles were lost by the store (neither written nor spooled). Spooled articles are not lost.
    """
    lines: list[str] = []
    failed = 0
    every: dict[str, Fetch] = {}
    for name, stats in results.items():
        lines.append(spider_line(name, stats))
        for is_failure, line in problems(name, stats, names):
            failed += is_failure
            lines.append(line)
        for source, fetch in spider_fetch(name, stats).items():
            every.setdefault(f"{name}/{source}", Fetch()).add(fetch)
    lines.extend(store_lines(results.values()))
    lost = sum(int(stats.get(f"aidaily/{LOST}", 0)) for stats in results.values())
    if every_source_unreachable(every):
        lines.append("crawl: FAILED — no source answered a single request; is the network down?")
    elif failed:
        lines.append(f"crawl: {failed} source(s) FAILED (see above)")
    if lost:
        lines.append(f"crawl: {lost} articles were neither stored nor spooled (see the log)")
    return lines, EXIT_UNHEALTHY if failed or lost else EXIT_OK
