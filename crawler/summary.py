"""The end-of-crawl summary of ``aidaily crawl``: a line per spider, a line per source that fetched nothing (pure)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from crawler.health import source_figures
from crawler.reachability import Fetch, every_source_unreachable, fetch_figures
from crawler.sources import source_name

EXIT_OK, EXIT_UNHEALTHY = 0, 1


def spider_line(name: str, stats: Mapping[str, Any]) -> str:
    """``ithome: found 4, new 4, updated 0, unchanged 0, spooled 0, dropped 0, skipped 0``."""
    return (
        f"{name}: found {stats.get('aidaily/articles/found', 0)}, "
        f"new {stats.get('aidaily/store/inserted', 0)}, updated {stats.get('aidaily/store/updated', 0)}, "
        f"unchanged {stats.get('aidaily/store/unchanged', 0)}, spooled {stats.get('aidaily/store/spooled', 0)}, "
        f"dropped {sum(v for k, v in stats.items() if k.startswith('aidaily/dropped/'))}, "
        f"skipped {sum(v for k, v in stats.items() if k.startswith('aidaily/article/skipped/'))}"
    )


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


def crawl_summary(
    results: Mapping[str, Mapping[str, Any]], names: Mapping[str, str] | None = None
) -> tuple[list[str], int]:
    """The summary lines of a crawl (``{spider: final stats}``) and its exit status.

    Exit status 1 when a source fetched nothing (no request answered) or a spider did not finish.
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
    if every_source_unreachable(every):
        lines.append("crawl: FAILED — no source answered a single request; is the network down?")
    elif failed:
        lines.append(f"crawl: {failed} source(s) FAILED (see above)")
    return lines, EXIT_UNHEALTHY if failed else EXIT_OK
