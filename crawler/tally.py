"""Where each article link a crawl found ended, and the summary line that shows it (pure).

Every distinct article link a list or feed gave ends in exactly one counter of its source:
stored (``new``, ``updated``, ``unchanged`` — a 304 Not Modified is unchanged too), ``already
stored`` (an incremental crawl did not fetch it again), ``dropped`` with a reason (page
rejected, not an article, request failed, the same page as another link, a bug), ``spooled``
(MongoDB down: kept in the spool for ``aidaily replay``), or ``unkept`` (neither). What none of
them counts (a crawl stopped before it reached every link) is shown as ``unaccounted``, so a
line always adds up. ``aidaily crawl`` (per spider), ``aidaily daily`` (per source) and
``aidaily replay`` print these lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# ``aidaily/lost/<source>/<reason>``: a link of the source that was not stored, and why.
LOST_PREFIX = "aidaily/lost/"
# Lost with these reasons, the request for the link failed (crawler.outcomes names the others).
DUPLICATE = "duplicate"  # the same article as another link (a redirect to it, or twice in one batch)
ERROR = "error"  # a bug in a callback or pipeline: the log has the traceback


def lost_key(source: str, reason: str) -> str:
    """The stats key counting ``source``'s links lost for ``reason``."""
    return f"{LOST_PREFIX}{source}/{reason}"


def lost_by_source(stats: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """``{source: {reason: n}}`` of the non-zero ``aidaily/lost/*`` counters in one spider's stats."""
    lost: dict[str, dict[str, int]] = {}
    for key, value in stats.items():
        if key.startswith(LOST_PREFIX) and isinstance(value, int) and value:
            source, _, reason = key[len(LOST_PREFIX) :].partition("/")
            target = lost.setdefault(source, {})
            target[reason] = target.get(reason, 0) + value
    return lost


def merged_lost(all_stats: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """``lost_by_source`` summed over several spiders' stats (two spiders can feed one source)."""
    total: dict[str, dict[str, int]] = {}
    for stats in all_stats:
        for source, reasons in lost_by_source(stats).items():
            target = total.setdefault(source, {})
            for reason, n in reasons.items():
                target[reason] = target.get(reason, 0) + n
    return total


@dataclass(frozen=True)
class Tally:
    """The fates of one source's (or spider's) distinct article links; the parts sum to ``found``."""

    found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    known: int = 0  # already stored, not fetched again
    dropped: dict[str, int] = field(default_factory=dict)
    spooled: int = 0
    unkept: int = 0

    @property
    def parts(self) -> dict[str, int]:
        """Every counter a link can end in, in the order the line shows them."""
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "already stored": self.known,
            "dropped": sum(self.dropped.values()),
            "spooled": self.spooled,
            "unkept": self.unkept,
        }

    @property
    def unaccounted(self) -> int:
        """Links found that no counter holds (negative when counters hold more than was found)."""
        return self.found - sum(self.parts.values())


def tally(figures: Mapping[str, Any], dropped: Mapping[str, int]) -> Tally:
    """The tally of per-source figures (``crawler.health.source_figures``) and the reasons links were lost."""
    return Tally(
        found=int(figures.get("found", 0)),
        new=int(figures.get("inserted", 0)),
        updated=int(figures.get("updated", 0)),
        unchanged=int(figures.get("unchanged", 0)) + int(figures.get("not_modified", 0)),
        known=int(figures.get("known", 0)),
        dropped={reason: n for reason, n in dropped.items() if n},
        spooled=int(figures.get("spooled", 0)),
        unkept=int(figures.get("unkept", 0)),
    )


def summed(tallies: Iterable[Tally]) -> Tally:
    """One tally of several (a spider's sources)."""
    total: dict[str, int] = {}
    parts = {"found": 0, "new": 0, "updated": 0, "unchanged": 0, "known": 0, "spooled": 0, "unkept": 0}
    for each in tallies:
        for name in parts:
            parts[name] += getattr(each, name)
        for reason, n in each.dropped.items():
            total[reason] = total.get(reason, 0) + n
    return Tally(dropped=total, **parts)


def tally_text(counts: Tally, notes: Iterable[str] = ()) -> str:
    """``found 15, new 9, updated 0, unchanged 1, already stored 4, dropped 1 (deleted 1); api_fallback 2``.

    found, new, updated and unchanged are always shown; every other counter only when it is not 0.
    ``notes`` (after a semicolon) say what else happened, outside the sum.
    """
    text = f"found {counts.found}"
    for name, n in counts.parts.items():
        if n or name in ("new", "updated", "unchanged"):
            text += f", {name} {n}"
            if name == "dropped":
                text += f" ({reasons_text(counts.dropped)})"
    if counts.unaccounted:
        text += f", unaccounted {counts.unaccounted}"
    notes = list(notes)
    return text + (f"; {'; '.join(notes)}" if notes else "")


def reasons_text(reasons: Mapping[str, int]) -> str:
    """``deleted 2, http_404 1``: most first, then by name."""
    return ", ".join(f"{r} {n}" for r, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass
class ReplayTally:
    """What ``aidaily replay`` did with each spool line; the parts sum to ``lines``."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0  # the same article spooled again later in the batch: its last copy was written
    quarantined: int = 0  # unreadable (cut by a crash): moved to the quarantine file

    @property
    def lines(self) -> int:
        return self.new + self.updated + self.unchanged + self.duplicate + self.quarantined

    def add(self, outcomes: Mapping[str, str], docs: int) -> None:
        """Count one written batch: ``outcomes`` per distinct id (``UpsertCounts.outcomes``) of ``docs`` documents."""
        for outcome in outcomes.values():
            name = "new" if outcome == "inserted" else outcome
            setattr(self, name, getattr(self, name) + 1)
        self.duplicate += docs - len(outcomes)

    def text(self) -> str:
        """``replayed 11 spool lines: new 5, updated 0, unchanged 0, duplicate 5, quarantined 1``."""
        text = f"replayed {self.lines} spool lines: new {self.new}, updated {self.updated}, unchanged {self.unchanged}"
        for name in ("duplicate", "quarantined"):
            n = getattr(self, name)
            text += f", {name} {n}" if n else ""
        return text
