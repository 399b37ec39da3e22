"""The outcome of one ``aidaily daily`` run and how its summary reads: per source, health, exit status.

Kept apart from the stages (``aidaily.cli.daily``) and the progress display: what is judged here is
only what the run found. ``health: ok`` is printed for a run that was judged and has nothing wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.crawlsummary import LOST, replayed_line, spider_line, store_counters
from crawler.health import Flag, fetch_by_source, list_failures, loss_reasons, merged_sources
from crawler.reachability import every_source_unreachable
from crawler.sources import source_name
from crawler.tally import merged_lost, reasons_text, tally, tally_text

if TYPE_CHECKING:
    from scrapy.settings import Settings

EXIT_OK, EXIT_UNHEALTHY, EXIT_FAILED = 0, 1, 2


@dataclass
class DailyOutcome:
    """What the summary prints."""

    day: date
    run_id: str
    crawl_status: int = 0
    crawl_log: Path | None = None
    run: dict[str, Any] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    enriched: int = 0
    clusters_new: int = 0
    clusters_total: int = 0
    llm: dict[str, Any] | None = None
    llm_note: str = ""
    join_llm: dict[str, Any] | None = None  # the event join's LLM gate: its ledger, None when it was off
    reports: list[Path] = field(default_factory=list)
    error: str | None = None
    database: str | None = None  # why the database could not be used, when it could not
    crawled: bool = False
    judged: bool = False
    spool_pending: int = 0
    spool_path: Path | None = None

    @property
    def crawl_failed(self) -> bool:
        """The crawl process itself failed; 1 is its "a source fetched nothing" status, which the flags explain."""
        return self.crawl_status not in (0, 1)

    @property
    def network_down(self) -> bool:
        """Requests went out and no source answered one."""
        return self.judged and every_source_unreachable(fetch_by_source(self.run))

    def problems(self) -> list[str]:
        """What is wrong with the run as a whole, beyond one source's flags."""
        found = []
        if self.database is not None:
            found.append(f"database unreachable ({self.database})")
        if self.crawl_failed:
            found.append(f"the crawl process failed (exit status {self.crawl_status}); log: {self.crawl_log}")
        if self.network_down:
            found.append("no source answered a single request — is the network down?")
        lost = store_counters((self.run.get("stats") or {}).values()).get(LOST, 0)
        if lost:
            found.append(f"{lost} articles were neither stored nor spooled; log: {self.crawl_log}")
        if self.spool_pending:
            found.append(
                f"{self.spool_pending} articles wait in the spool {self.spool_path} (not in MongoDB yet); "
                "`aidaily replay` writes them"
            )
        return found

    @property
    def exit_code(self) -> int:
        if self.error is not None or self.database is not None or self.crawl_failed or self.network_down:
            return EXIT_FAILED
        return EXIT_UNHEALTHY if self.flags or self.problems() else EXIT_OK


def summary_lines(outcome: DailyOutcome, settings: Settings) -> Iterator[str]:
    """The end-of-run summary: per source, health flags, clusters, LLM, reports, exit status."""
    yield f"aidaily daily {outcome.day.isoformat()} (crawl run {outcome.run_id})"
    yield from source_lines(outcome, settings.getdict("SOURCE_NAMES"))
    yield from (f"  {line}" for line in replayed_line((outcome.run.get("stats") or {}).values()))
    unusual = store_counters((outcome.run.get("stats") or {}).values())
    if unusual:
        yield "  store: " + ", ".join(f"{name} {n}" for name, n in unusual.items())
    if outcome.database is not None:
        yield f"database: UNREACHABLE — {outcome.database}" + (
            "" if outcome.crawled else "; nothing crawled (start MongoDB, or unset MONGO_URI for the embedded database)"
        )
    if outcome.crawl_failed:
        yield f"crawl: FAILED (exit status {outcome.crawl_status}); log: {outcome.crawl_log}"
    yield from health_lines(outcome)
    clusters = f"{outcome.clusters_new} new / {outcome.clusters_total}"
    yield f"enriched {outcome.enriched} articles; clusters of {outcome.day.isoformat()}: {clusters}"
    yield "event join: " + (f"llm {llm_line(outcome.join_llm)}" if outcome.join_llm is not None else "offline rule")
    yield "llm: " + (llm_line(outcome.llm) if outcome.llm is not None else outcome.llm_note or "not run")
    yield "reports:" + ("" if outcome.reports else " none")
    for path in outcome.reports:
        yield f"  {path}"
    if outcome.error:
        yield f"error: {outcome.error}"
    yield f"exit status {outcome.exit_code}"


def source_lines(outcome: DailyOutcome, extra: dict[str, str]) -> Iterator[str]:
    """A line per source: where its links ended (``crawler.tally``), or FAILED with why nothing was fetched."""
    reasons = loss_reasons(outcome.run)
    sources = merged_sources(outcome.run)
    lost = merged_lost((outcome.run.get("stats") or {}).values())
    lists = list_failures(outcome.run)
    fetch = fetch_by_source(outcome.run)
    unreachable = {s for s, f in fetch.items() if f.unreachable}
    for source in sorted(set(sources) | unreachable):
        shown = source_name(source, extra)
        label = f"{shown} ({source})" if shown != source else source
        got = fetch.get(source)
        if got is not None and got.unreachable:
            yield f"  {label}: FAILED — {got.summary()}"
            continue
        figures = sources[source]
        notes = [f"{got.failures} of {got.requests} requests failed ({got.reasons()})"] if got and got.failures else []
        notes += [f"list failed ({reasons_text(lists[source])})"] if source in lists else []
        # no_links is in the list failures already
        notes += [f"{name} {n}" for name, n in figures.get("notes", {}).items() if name != "no_links"]
        yield f"  {label}: {tally_text(tally(figures, lost.get(source, {})), notes)}"
    for source in sorted(set(reasons) - set(sources) - unreachable):  # a list that failed to parse, say
        yield f"  {source}: nothing stored ({reasons_text(reasons[source])})"
    for spider, stats in sorted((outcome.run.get("stats") or {}).items()):  # lmarena counts snapshots, not articles
        if any(key.startswith("aidaily/leaderboard/") for key in stats):
            yield f"  {spider_line(spider, stats)}"


def health_lines(outcome: DailyOutcome) -> Iterator[str]:
    """``health: ok`` only for a run that was judged and has nothing wrong; else each problem and flag."""
    problems = outcome.problems()
    if not outcome.judged:
        why = problems[0] if problems else (outcome.error or "the crawl did not run")
        yield f"health: FAILED — not judged: {why}"
        problems = problems[1:] if problems else []
    elif problems:
        yield f"health: FAILED — {len(problems) + len(outcome.flags)} problem(s)"
    else:
        yield "health: " + ("ok" if not outcome.flags else f"{len(outcome.flags)} flag(s)")
    for problem in problems:
        yield f"  ! {problem}"
    for flag in outcome.flags:
        yield f"  ! {flag.message}"


def llm_line(ledger: dict[str, Any]) -> str:
    cost = ledger.get("estimated_cost_usd")
    return (
        f"{ledger['model']}: {ledger['calls']} calls, {ledger['cache_hits']} cache hits, {ledger['failures']} failed, "
        f"{ledger.get('malformed', 0)} malformed; "
        f"tokens {ledger['prompt_tokens']} prompt + {ledger['completion_tokens']} completion; "
        f"cost {'$' + format(cost, '.4f') if cost is not None else 'unknown'}"
    )
