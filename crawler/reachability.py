"""Per-source request outcomes of a crawl, from its stats: how many requests were answered, and why not (pure).

``crawler.outcomes.RequestOutcomeMiddleware`` counts ``aidaily/fetch/<source>/requests`` and one
``aidaily/fetch/<source>/<outcome>`` per request: ``answered`` (any status below 400, or one its
spider handles with a fallback, ``HANDLED_STATUSES_META``), ``http_<status>``, or a network reason
(``dns``, ``refused``, ``timeout``, ``lost``, ``connect``, ``robots``, ``ignored``, ``error``). A
spider whose stats lack those keys (the middleware switched off) is judged from Scrapy's own
downloader stats instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

FETCH_PREFIX = "aidaily/fetch/"
REQUESTS, ANSWERED = "requests", "answered"

REASON_TEXT = {
    "dns": "DNS lookup failed",
    "refused": "connection refused",
    "timeout": "timed out",
    "lost": "connection lost before a response",
    "connect": "could not connect",
    "robots": "forbidden by robots.txt",
    "ignored": "request ignored",
    "error": "download error",
}
# What a reader should check first when every request of a source ended so.
HINTS = {
    "dns": "is the network down?",
    "connect": "is the network down?",
    "timeout": "is the network down or the site overloaded?",
    "refused": "is the site, or a proxy, down?",
    "lost": "is the network unstable?",
    "robots": "the site's robots.txt forbids these pages",
}
# Scrapy's exception class names (``downloader/exception_type_count/<class>``) by reason.
_EXCEPTION_NAMES = {
    "dns": ("CannotResolveHostError", "DNSLookupError", "gaierror"),
    "refused": ("ConnectionRefusedError", "DownloadConnectionRefusedError"),
    "timeout": ("TimeoutError", "TCPTimedOutError", "DownloadTimeoutError"),
    "lost": ("ResponseNeverReceived", "ResponseFailed", "DownloadFailedError", "ResponseDataLossError",
             "ConnectionLost", "ConnectionDone"),
}  # fmt: skip


@dataclass
class Fetch:
    """One source's requests: how many went out, how many were answered, how the others ended."""

    requests: int = 0
    answered: int = 0
    failed: dict[str, int] = field(default_factory=dict)

    @property
    def unreachable(self) -> bool:
        """Requests went out and none was answered."""
        return self.requests > 0 and self.answered == 0

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    def add(self, other: Fetch) -> None:
        self.requests += other.requests
        self.answered += other.answered
        for reason, n in other.failed.items():
            self.failed[reason] = self.failed.get(reason, 0) + n

    def reasons(self) -> str:
        """``DNS lookup failed`` for one reason; ``HTTP 404 2, timed out 1`` for several, most first."""
        ranked = sorted(self.failed.items(), key=lambda kv: (-kv[1], kv[0]))
        if len(ranked) == 1:
            return reason_text(ranked[0][0])
        return ", ".join(f"{reason_text(r)} {n}" for r, n in ranked)

    def hint(self) -> str:
        """What to check, from the commonest reason: the network, the site, robots.txt."""
        if not self.failed:
            return ""
        top = max(self.failed.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if top.startswith("http_"):
            status = int(top[5:])
            if status >= 500:
                return "the site is failing"
            if status in (401, 403, 429):
                return "the site refuses the crawler"
            return "have the pages moved?"
        return HINTS.get(top, "")

    def summary(self) -> str:
        """``0/12 requests answered (DNS lookup failed) — is the network down?``"""
        hint = self.hint()
        return f"{self.answered}/{self.requests} requests answered ({self.reasons()})" + (f" — {hint}" if hint else "")


def reason_text(reason: str) -> str:
    if reason.startswith("http_"):
        return "HTTP " + reason[5:]
    return REASON_TEXT.get(reason, reason)


def fetch_figures(stats: Mapping[str, Any], *, sources: Iterable[str] = ()) -> dict[str, Fetch]:
    """``{source: Fetch}`` of one spider's stats; from Scrapy's downloader stats if the middleware did not count.

    ``sources`` are the spider's sources for that fallback (Scrapy counts per spider, not per source):
    the figures go to the first of them.
    """
    figures: dict[str, Fetch] = {}
    for key, value in stats.items():
        if not key.startswith(FETCH_PREFIX) or not isinstance(value, int):
            continue
        source, _, outcome = key[len(FETCH_PREFIX) :].rpartition("/")
        if not source:
            continue
        fetch = figures.setdefault(source, Fetch())
        if outcome == REQUESTS:
            fetch.requests += value
        elif outcome == ANSWERED:
            fetch.answered += value
        elif value:
            fetch.failed[outcome] = fetch.failed.get(outcome, 0) + value
    if figures:
        return dict(sorted(figures.items()))
    fallback = scrapy_fetch(stats)
    if fallback is None:
        return {}
    return {next(iter(sorted(sources)), "") or "unknown": fallback}


def scrapy_fetch(stats: Mapping[str, Any]) -> Fetch | None:
    """A spider's outcomes from Scrapy's ``downloader/*`` and ``robotstxt/*`` stats (tries, not requests)."""
    robots_tries = int(stats.get("robotstxt/request_count", 0))
    forbidden = int(stats.get("robotstxt/forbidden", 0))
    tries = int(stats.get("downloader/request_count", 0)) - robots_tries
    if tries <= 0 and not forbidden:
        return None
    fetch = Fetch(requests=max(tries, 0) + forbidden)
    if forbidden:
        fetch.failed["robots"] = forbidden
    status_prefix, exception_prefix = "downloader/response_status_count/", "downloader/exception_type_count/"
    for key, value in stats.items():
        if key.startswith(status_prefix) and isinstance(value, int):
            status = int(key[len(status_prefix) :])
            # robots.txt itself was fetched among the tries; its answer is not a page of the source
            value -= int(stats.get(f"robotstxt/response_status_count/{status}", 0))
            if value <= 0:
                continue
            if status < 400:
                fetch.answered += value
            else:
                fetch.failed[f"http_{status}"] = fetch.failed.get(f"http_{status}", 0) + value
        elif key.startswith(exception_prefix) and isinstance(value, int):
            name = key.rsplit(".", 1)[-1]
            reason = next((r for r, names in _EXCEPTION_NAMES.items() if name in names), "error")
            fetch.failed[reason] = fetch.failed.get(reason, 0) + value
    return fetch


def run_fetch(run: Mapping[str, Any], sources_of: Mapping[str, Iterable[str]] | None = None) -> dict[str, Fetch]:
    """Per-source outcomes summed over every spider of a ``crawl_runs`` document (or ``{spider: stats}``)."""
    stats_by_spider: Mapping[str, Mapping[str, Any]] = run.get("stats") or {}
    total: dict[str, Fetch] = {}
    for spider, stats in sorted(stats_by_spider.items()):
        sources = (sources_of or {}).get(spider) or [spider]
        for source, fetch in fetch_figures(stats, sources=sources).items():
            total.setdefault(source, Fetch()).add(fetch)
    return dict(sorted(total.items()))


def every_source_unreachable(fetch: Mapping[str, Fetch]) -> bool:
    """Requests went out and no source got a single answer (the network, not one site, is down)."""
    asked = [f for f in fetch.values() if f.requests]
    return bool(asked) and all(f.unreachable for f in asked)
