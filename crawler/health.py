"""Per-source health figures of a crawl run, built from the crawl stats (pure functions).

The spiders and pipelines count under ``aidaily/source/<id>/<figure>``: ``found`` (list or
feed links), ``stored`` with ``inserted``/``updated``/``unchanged``, ``dropped`` (validation),
``skipped`` (pages the parser rejected), and ``with_<field>`` for the coverage shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from statistics import median
from typing import Any

SOURCE_PREFIX = "aidaily/source/"
COUNTS = ("found", "stored", "inserted", "updated", "unchanged", "dropped", "skipped")
COVERAGE_FIELDS = ("title", "body", "published_at")


def coverage_key(source: str, field: str) -> str:
    """Stats key counting stored articles of ``source`` whose ``field`` is not empty."""
    return f"{SOURCE_PREFIX}{source}/with_{field}"


def source_figures(stats: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{source id: {found, stored, ..., coverage: {title, body, published_at}}}`` from crawl stats.

    A coverage share is stored articles with the field over stored articles, rounded to
    four places; None when nothing was stored.
    """
    raw: dict[str, dict[str, int]] = {}
    for key, value in stats.items():
        if not key.startswith(SOURCE_PREFIX) or not isinstance(value, int):
            continue
        source, _, figure = key[len(SOURCE_PREFIX) :].rpartition("/")
        if source:
            raw.setdefault(source, {})[figure] = value
    figures: dict[str, dict[str, Any]] = {}
    for source, counts in sorted(raw.items()):
        stored = counts.get("stored", 0)
        figures[source] = {name: counts.get(name, 0) for name in COUNTS} | {
            "coverage": {
                field: round(counts.get(f"with_{field}", 0) / stored, 4) if stored else None
                for field in COVERAGE_FIELDS
            }
        }
    return figures


def run_part(
    *,
    spider: str,
    started_at: datetime,
    finished_at: datetime,
    finish_reason: str,
    stats: Mapping[str, Any],
) -> dict[str, Any]:
    """One spider's share of a crawl run: its per-source figures and its plain stats."""
    return {
        "spider": spider,
        "started_at": started_at,
        "finished_at": finished_at,
        "finish_reason": finish_reason,
        "sources": source_figures(stats),
        "stats": plain_stats(stats),
    }


def run_update(part: Mapping[str, Any]) -> dict[str, Any]:
    """The MongoDB update that merges one spider's part into the run's ``crawl_runs`` document.

    ``aidaily crawl`` runs several spiders under one run id, so each adds its stats (under its
    name) and its finish reason; the run spans the earliest start to the latest finish. The
    per-source figures are derived from all spiders' stats afterwards (``merged_sources``):
    two spiders can feed one source, so one spider's figures must not replace another's.
    """
    spider = part["spider"]
    fields: dict[str, Any] = {f"stats.{spider}": part["stats"], f"finish_reasons.{spider}": part["finish_reason"]}
    return {
        "$set": fields,
        "$min": {"started_at": part["started_at"]},
        "$max": {"finished_at": part["finished_at"]},
        "$addToSet": {"spiders": spider},
    }


def plain_stats(stats: Mapping[str, Any]) -> dict[str, Any]:
    """The stats MongoDB can hold as field names and values: numbers, text and times."""
    return {
        key: value
        for key, value in sorted(stats.items())
        if "." not in key and not key.startswith("$") and isinstance(value, int | float | str | datetime)
    }


# --- Judging a run against the runs before it --------------------------------------------------

FIELD_NAMES = {"title": "标题", "body": "正文", "published_at": "发布时间"}


@dataclass(frozen=True)
class Flag:
    """Something wrong with one source (or spider) in one run, with the message a reader sees."""

    source: str
    kind: str  # "failed" (spider did not finish cleanly), "zero_found", "coverage"
    message: str
    field: str | None = None
    value: float | None = None
    usual: float | None = None

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)


def spider_sources(run: Mapping[str, Any]) -> dict[str, set[str]]:
    """Which sources each spider of a ``crawl_runs`` document counted figures for."""
    spiders: dict[str, set[str]] = {}
    for spider, stats in sorted((run.get("stats") or {}).items()):
        spiders[spider] = set(source_figures(stats))
    return spiders


def merged_sources(run: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per-source figures summed over every spider of a ``crawl_runs`` document's stats.

    Two spiders can feed one source (36kr and 36kr_newsflash); this is what the stored
    ``sources`` field holds once every spider has reported.
    """
    total: dict[str, int] = {}
    for stats in (run.get("stats") or {}).values():
        for key, value in stats.items():
            if key.startswith(SOURCE_PREFIX) and isinstance(value, int):
                total[key] = total.get(key, 0) + value
    return source_figures(total)


def health_flags(
    current: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]],
    *,
    margin: float,
    min_stored: int = 3,
    expected_spiders: Iterable[str] = (),
    names: Mapping[str, str] | None = None,
) -> list[Flag]:
    """What looks broken in ``current`` (a ``crawl_runs`` document) given earlier runs, newest first.

    A spider that did not finish (or never reported) fails. A source whose list pages gave no
    links is flagged: "found" counts list links, so an incremental run with nothing new is not
    zero. A source that had figures in an earlier run of the same spider but none now counts
    as zero found. A coverage share (title/body/published_at over the articles stored in this
    run) below the median of the earlier runs minus ``margin`` is flagged; runs that stored
    fewer than ``min_stored`` articles of the source are too small to judge either way.
    """
    names = names or {}
    flags: list[Flag] = []
    reasons: Mapping[str, str] = current.get("finish_reasons") or {}
    for spider in sorted(set(expected_spiders) | set(reasons)):
        reason = reasons.get(spider)
        if reason is None:
            flags.append(Flag(spider, "failed", f"{spider}: 爬虫没有运行完（无运行记录）"))
        elif reason != "finished":
            flags.append(Flag(spider, "failed", f"{spider}: 爬虫异常结束（{reason}）"))
    figures = merged_sources(current)
    ran = set(reasons)
    for past in history:
        for spider, sources in spider_sources(past).items():
            for source in sources:
                if spider in ran and source not in figures:
                    figures[source] = {"found": 0, "stored": 0, "coverage": dict.fromkeys(COVERAGE_FIELDS)}
    past_figures = [merged_sources(run) for run in history]
    for source, now in sorted(figures.items()):
        name = names.get(source, source)
        if now.get("found", 0) == 0:
            flags.append(Flag(source, "zero_found", f"{name}: 0 篇，解析规则疑似失效"))
            continue
        if now.get("stored", 0) < min_stored:
            continue
        for field in COVERAGE_FIELDS:
            value = now["coverage"][field]
            usual_values = [
                p[source]["coverage"][field]
                for p in past_figures
                if source in p and p[source]["stored"] >= min_stored and p[source]["coverage"][field] is not None
            ]
            if value is None or not usual_values:
                continue
            usual = float(median(usual_values))
            if value < usual - margin:
                message = f"{name}: {FIELD_NAMES[field]}覆盖率 {value:.0%}（通常 {usual:.0%}），解析规则疑似失效"
                flags.append(Flag(source, "coverage", message, field=field, value=value, usual=usual))
    return flags


REASON_PREFIXES = ("aidaily/dropped/", "aidaily/article/skipped/", "aidaily/list/failed/")


def loss_reasons(run: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Why pages or items were lost, per source: validation drops, rejected pages, failed lists.

    The reasons are counted per spider; a spider's reasons go to each source it fed (to the
    spider's own name when it fed none, e.g. its list page failed).
    """
    reasons: dict[str, dict[str, int]] = {}
    for spider, stats in sorted((run.get("stats") or {}).items()):
        counts: dict[str, int] = {}
        for key, value in stats.items():
            prefix = next((p for p in REASON_PREFIXES if key.startswith(p)), None)
            if prefix is not None and isinstance(value, int) and value:
                reason = key[len(prefix) :]
                counts[reason] = counts.get(reason, 0) + value
        for source in sorted(set(source_figures(stats))) or [spider]:
            if counts:
                target = reasons.setdefault(source, {})
                for reason, value in counts.items():
                    target[reason] = target.get(reason, 0) + value
    return reasons
