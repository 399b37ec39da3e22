"""Per-source health figures of a crawl run, built from the crawl stats (pure functions).

The spiders and pipelines count under ``aidaily/source/<id>/<figure>``: ``found`` (distinct
list or feed links; ``relisted`` the repeats), ``stored`` with ``inserted``/``updated``/``unchanged``,
``not_modified`` (304), ``known`` (already stored, not fetched), ``spooled``, ``unkept``,
``dropped`` (validation), ``skipped`` (pages the parser rejected), and ``with_<field>`` for the
coverage shares; ``crawler.tally`` shows where each link found ended. Any other
per-source figure (``missing_date``, ``fallback_generic``, ...) is kept under ``notes`` as it is.
Request outcomes per source (answered, DNS, refused, HTTP status, ...) are in ``crawler.reachability``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from statistics import median
from typing import Any

from crawler.reachability import Fetch, fetch_figures, run_fetch

SOURCE_PREFIX = "aidaily/source/"
COUNTS = (
    "found",
    "stored",
    "inserted",
    "updated",
    "unchanged",
    "dropped",
    "skipped",
    "known",
    "not_modified",
    "spooled",
    "unkept",
    "relisted",
)
COVERAGE_FIELDS = ("title", "body", "published_at")


def coverage_key(source: str, field: str) -> str:
    """Stats key counting stored articles of ``source`` whose ``field`` is not empty."""
    return f"{SOURCE_PREFIX}{source}/with_{field}"


def source_figures(stats: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{source id: {found, stored, ..., coverage: {title, body, published_at}, notes: {...}}}`` from crawl stats.

    A coverage share is stored articles with the field over stored articles, rounded to
    four places; None when nothing was stored. ``notes`` holds the source's other non-zero figures.
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
            },
            "notes": {
                name: n
                for name, n in sorted(counts.items())
                if n and name not in COUNTS and not name.startswith("with_")
            },
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

    A spider that did not finish (or never reported) fails. A source none of whose requests was
    answered fails with the reason (``36氪: 0/12 requests answered (DNS lookup failed) — is the
    network down?``) and is judged no further. A source whose list pages gave no links, or could
    not be parsed, is flagged: "found" counts distinct list links, so an incremental run with nothing new
    is not zero. A source that had figures in an earlier run of the same spider but none now counts
    as zero found. A source whose article pages were mostly rejected (at least ``min_stored`` of
    them, more than it stored) is flagged: its list works, its article parser looks broken. A
    coverage share (title/body/published_at over the articles stored in this run) below the median
    of the earlier runs minus ``margin`` is flagged; runs that stored fewer than ``min_stored``
    articles of the source are too small to judge either way. A leaderboard file that could not
    be parsed is flagged.
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
    fetch = run_fetch(current, spider_sources(current))
    losses = loss_reasons(current)
    list_failed = list_failures(current)
    site_failed = site_failures(current)
    ran = set(reasons)
    for past in history:
        for spider, sources in spider_sources(past).items():
            for source in sources:
                if spider in ran and source not in figures:
                    figures[source] = _zero_figures()
    for source in list_failed:  # a list that failed to parse counted no links at all
        figures.setdefault(source, _zero_figures())
    past_figures = [merged_sources(run) for run in history]
    unreachable = {source for source, got in fetch.items() if got.unreachable}
    for source in sorted(set(figures) | unreachable):
        name = names.get(source, source)
        if source in unreachable:
            flags.append(Flag(source, "unreachable", f"{name}: {fetch[source].summary()}"))
            continue
        now = figures[source]
        if now.get("found", 0) == 0:
            why = _counts_text(list_failed.get(source, {}))
            detail = f"（列表页未能解析：{why}）" if why else ""
            flags.append(Flag(source, "zero_found", f"{name}: 0 篇{detail}，解析规则疑似失效"))
            continue
        # Pages the site parser could not read: rejected, or stored from the generic extractor instead.
        generic = now.get("notes", {}).get("fallback_generic", 0)
        failed = now.get("skipped", 0) + now.get("dropped", 0) + generic
        if failed >= min_stored and failed > now.get("stored", 0) - generic:
            why = _counts_text(_merged(losses.get(source, {}), site_failed.get(source, {})))
            message = f"{name}: 列表 {now['found']} 篇，{failed} 篇正文未能按站点规则解析（{why}），"
            message += f"{generic} 篇由通用提取器存下，" if generic else f"只存下 {now.get('stored', 0)} 篇，"
            flags.append(Flag(source, "parse", message + "解析规则疑似失效", value=float(failed)))
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
    for spider, failed in sorted(_spider_counts(current, LEADERBOARD_FAILED).items()):
        flags.append(Flag(spider, "parse", f"{spider}: 排行榜文件未能解析（{_counts_text(failed)}）"))
    return flags


def _merged(*counts: Mapping[str, int]) -> dict[str, int]:
    total: dict[str, int] = {}
    for each in counts:
        for reason, n in each.items():
            total[reason] = total.get(reason, 0) + n
    return total


def _zero_figures() -> dict[str, Any]:
    return {"found": 0, "stored": 0, "coverage": dict.fromkeys(COVERAGE_FIELDS), "notes": {}}


def _counts_text(counts: Mapping[str, int]) -> str:
    """``no_body 3, missing_title 1``: most first."""
    return ", ".join(f"{r} {n}" for r, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def fetch_by_source(run: Mapping[str, Any]) -> dict[str, Fetch]:
    """Per-source request outcomes of a ``crawl_runs`` document (``crawler.reachability``)."""
    return run_fetch(run, spider_sources(run))


# Why pages or items were lost: the key prefix, and how the reason reads in a summary.
LOSS_PREFIXES = {
    "aidaily/dropped/": "",
    "aidaily/article/skipped/": "",
    "aidaily/list/failed/": "list ",
    "aidaily/article/parser_error/": "parser error ",
    "aidaily/response/truncated/": "truncated ",
    "aidaily/leaderboard/failed/": "leaderboard ",
}
LIST_FAILED = "aidaily/list/failed/"
SITE_FAILED = "aidaily/article/site_failed/"
LEADERBOARD_FAILED = "aidaily/leaderboard/failed/"


def _loss_label(key: str) -> str | None:
    """How a lost-page counter reads (``no_body``, ``list no_links``), or None if it counts no loss.

    Counters added later under a ``.../failed/<reason>`` key are shown too, named by their path.
    """
    for prefix, label in LOSS_PREFIXES.items():
        if key.startswith(prefix):
            return label + key[len(prefix) :]
    if key.startswith("aidaily/") and "/failed/" in key and not key.startswith((SOURCE_PREFIX, "aidaily/fetch/")):
        return key[len("aidaily/") :]
    return None


def _spider_counts(run: Mapping[str, Any], prefix: str) -> dict[str, dict[str, int]]:
    """``{spider: {reason: n}}`` of the non-zero counters under ``prefix`` in each spider's stats."""
    found: dict[str, dict[str, int]] = {}
    for spider, stats in sorted((run.get("stats") or {}).items()):
        for key, value in stats.items():
            if key.startswith(prefix) and isinstance(value, int) and value:
                found.setdefault(spider, {})[key[len(prefix) :]] = value
    return found


def _spider_targets(stats: Mapping[str, Any], spider: str) -> list[str]:
    """The sources a spider's spider-wide counters belong to: those it counted figures or requests for."""
    return sorted(set(source_figures(stats)) | set(fetch_figures(stats, sources=[spider]))) or [spider]


def list_failures(run: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """``{source: {reason: n}}`` of list pages that could not be parsed, per source of the failing spider."""
    return _by_source(run, LIST_FAILED)


def site_failures(run: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """``{source: {reason: n}}`` of article pages the site parser gave up on and the generic extractor read."""
    return _by_source(run, SITE_FAILED)


def _by_source(run: Mapping[str, Any], prefix: str) -> dict[str, dict[str, int]]:
    failures: dict[str, dict[str, int]] = {}
    stats_by_spider = run.get("stats") or {}
    for spider, counts in _spider_counts(run, prefix).items():
        for source in _spider_targets(stats_by_spider[spider], spider):
            target = failures.setdefault(source, {})
            for reason, n in counts.items():
                target[reason] = target.get(reason, 0) + n
    return failures


def loss_reasons(run: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Why pages or items were lost, per source: validation drops, rejected pages, failed lists, ...

    The reasons are counted per spider; a spider's reasons go to each source it fed (to the
    spider's own name when it fed none, e.g. its list page failed).
    """
    reasons: dict[str, dict[str, int]] = {}
    for spider, stats in sorted((run.get("stats") or {}).items()):
        counts: dict[str, int] = {}
        for key, value in stats.items():
            label = _loss_label(key)
            if label is not None and isinstance(value, int) and value:
                counts[label] = counts.get(label, 0) + value
        if not counts:
            continue
        for source in _spider_targets(stats, spider):
            target = reasons.setdefault(source, {})
            for reason, value in counts.items():
                target[reason] = target.get(reason, 0) + value
    return reasons
