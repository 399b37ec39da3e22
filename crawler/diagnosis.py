"""What ``aidaily doctor`` found per source: OK/FAIL checks, and the failing pages saved in the mirror layout (pure).

``crawler.doctor`` records every page a source's real spider fetched (a ``Page``); here the pages
of one source become its checks — links (the list gave article links), title, body and date (the
newest article parsed into them) — and the pages behind a FAIL are written where the offline
mirror would serve them, with a ``.meta.json`` of status and headers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.mirror import META_SUFFIX, mirror_path
from crawler.reachability import reason_text

LIST, ARTICLE, DATA = "list", "article", "data"
CHECKS = ("links", "title", "body", "date")
# Headers that describe the transfer, not the page (the saved body is already decoded), or a visitor.
_UNSAVED_HEADERS = {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive", "set-cookie"}


@dataclass
class Page:
    """One page a source's spider fetched (or failed to), and what its parser made of it."""

    spider: str
    source: str
    url: str
    role: str  # LIST, ARTICLE or DATA (a file of items such as the leaderboard history)
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None  # why there was no response: crawler.reachability's reason names
    links: int = 0
    rejected: dict[str, int] = field(default_factory=dict)  # the parser's rejections while reading this page
    article: dict[str, Any] | None = None  # the normalised article this page gave
    items: int = 0  # other items (leaderboard snapshots)
    crash: str | None = None  # what the callback raised

    def trouble(self) -> str | None:
        """Why this page gave nothing usable, or None when it answered and parsed."""
        if self.error is not None:
            return f"not fetched: {reason_text(self.error)}"
        if self.status is not None and self.status >= 400:
            return f"HTTP {self.status}"
        if self.crash is not None:
            return f"the parser raised {self.crash}"
        if self.rejected:
            reasons = ", ".join(r if n == 1 else f"{r} {n}" for r, n in sorted(self.rejected.items()))
            return f"the parser rejected the page ({reasons})"
        return None


@dataclass(frozen=True)
class Check:
    """One line of the verdict: ``ok`` True, False (FAIL) or None (not checked), and what was seen."""

    name: str
    ok: bool | None
    detail: str


@dataclass
class SourceReport:
    """A source's checks, the pages they looked at, and the pages saved for a bug report."""

    spider: str
    source: str
    checks: list[Check]
    lists: list[Page]
    article: Page | None  # the article page that decided the checks
    chain: list[Page] = field(default_factory=list)  # every article page fetched (an API, then its page)
    saved: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(c.ok is False for c in self.checks)

    @property
    def failing_pages(self) -> list[Page]:
        """The pages behind the FAIL lines that answered (something to save)."""
        names = {c.name for c in self.checks if c.ok is False}
        pages = list(self.lists) if names & {"links", "data"} else []
        if names & {"title", "body", "date"}:
            pages.extend(self.chain)
        return [p for p in pages if p.status is not None]


def diagnose(pages: Iterable[Page], *, min_body_chars: int, spiders: Iterable[str] = ()) -> list[SourceReport]:
    """The checks of every source seen, in spider then source order; a spider in ``spiders`` that fetched
    nothing at all (the rss spider with no feeds) gets an empty report."""
    grouped: dict[tuple[str, str], list[Page]] = {}
    for page in pages:
        grouped.setdefault((page.spider, page.source), []).append(page)
    reports = [_report(spider, source, found, min_body_chars) for (spider, source), found in grouped.items()]
    seen = {spider for spider, _ in grouped}
    reports += [SourceReport(spider, spider, [], [], None) for spider in spiders if spider not in seen]
    return sorted(reports, key=lambda r: (r.spider, r.source))


def _report(spider: str, source: str, pages: list[Page], min_body_chars: int) -> SourceReport:
    lists = [p for p in pages if p.role in (LIST, DATA)]
    articles = [p for p in pages if p.role == ARTICLE]
    # The last article page of the chain decides (an API answer that failed, then the page itself).
    parsed = [p for p in articles if p.article is not None]
    article = parsed[-1] if parsed else (articles[-1] if articles else None)
    checks: list[Check] = []
    data = [p for p in lists if p.role == DATA]
    if data:
        items = sum(p.items for p in data)
        why = next((t for p in data if (t := p.trouble())), "no items in the file")
        checks.append(Check("data", items > 0, f"{items} items" if items else why))
        return SourceReport(spider, source, checks, lists, None)
    links = sum(p.links for p in lists)
    if links:
        checks.append(Check("links", True, f"{links} article links"))
    else:
        why = next((t for p in lists if (t := p.trouble())), "the list gave no article links")
        checks.append(Check("links", False, why))
    checks.extend(_article_checks(article, min_body_chars))
    return SourceReport(spider, source, checks, lists, article, articles)


def _article_checks(article: Page | None, min_body_chars: int) -> list[Check]:
    if article is None:
        return [Check(name, None, "not checked: no article link") for name in ("title", "body", "date")]
    doc = article.article
    # A rejection that names a field (no_body, no_title, ...) fails that check; none named fails all three.
    named = {name for name in ("title", "body", "date") if any(name in r for r in article.rejected)}
    if any("published" in r for r in article.rejected):
        named.add("date")
    named = named or {"title", "body", "date"}
    if doc is None:
        why = article.trouble() or "the parser gave no article"
        return [
            Check(name, False, why) if name in named else Check(name, None, f"not read: {why}")
            for name in ("title", "body", "date")
        ]
    checks = _field_checks(doc, min_body_chars)
    if not article.rejected:
        return checks
    # The site parser gave up and the generic extractor read the page: the site's rule is what is broken.
    reasons = ", ".join(sorted(article.rejected))
    return [
        Check(c.name, False, f"the site parser failed ({reasons}); the generic extractor read: {c.detail}")
        if c.name in named
        else Check(c.name, c.ok, f"{c.detail} (generic extractor)")
        for c in checks
    ]


def _field_checks(doc: Mapping[str, Any], min_body_chars: int) -> list[Check]:
    title = str(doc.get("title") or "")
    body = str(doc.get("body") or "")
    published = doc.get("published_at")
    return [
        Check("title", bool(title), title[:60] if title else "no title"),
        Check(
            "body",
            len(body) >= min_body_chars,
            f"{len(body)} characters: {' '.join(body[:30].split())}…" if body else "no body",  # one line
        ),
        Check(
            "date",
            published is not None,
            published.strftime("%Y-%m-%d %H:%M") if published is not None else "no publication date found",
        ),
    ]


def saved_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The response headers worth keeping beside a saved page (what the mirror sends back)."""
    return {k: v for k, v in headers.items() if k.lower() not in _UNSAVED_HEADERS}


def save_page(root: Path, page: Page) -> Path:
    """Write ``page`` under ``root`` as the offline mirror serves it, with its status and headers."""
    target = root / mirror_path(page.url)
    if target.is_dir():  # a path that is also a folder is served from its index.html
        target = target / "index.html"
    _make_folder(root, target.parent)
    target.write_bytes(page.body)
    meta = {"url": page.url, "status": page.status, "headers": saved_headers(page.headers)}
    target.with_name(target.name + META_SUFFIX).write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return target


def _make_folder(root: Path, folder: Path) -> None:
    """Make ``folder``; a page saved earlier where a folder must go moves to that folder's index.html."""
    for ancestor in [*reversed(folder.relative_to(root).parents), folder.relative_to(root)]:
        path = root / ancestor
        if path.is_file():
            meta = path.with_name(path.name + META_SUFFIX)
            moved = path.with_name(path.name + ".moving")
            path.rename(moved)
            path.mkdir()
            moved.rename(path / "index.html")
            if meta.is_file():
                meta.rename(path / ("index.html" + META_SUFFIX))
    folder.mkdir(parents=True, exist_ok=True)


def report_lines(report: SourceReport, name: str) -> Iterator[str]:
    """A source's verdict as the doctor prints it."""
    label = f"{report.spider} ({name})" if name != report.spider else report.spider
    if report.source not in (report.spider, name):
        label += f" [{report.source}]"
    if not report.checks:
        yield f"{label}: nothing to check (no request made)"
        return
    yield f"{label}: {'FAIL' if report.failed else 'OK'}"
    for page in report.lists:
        yield f"  {'file' if page.role == DATA else 'list':<8} {page.url} — {_answer(page)}"
    for check in report.checks:
        if check.name == "title":
            for page in report.chain:
                yield f"  {'article':<8} {page.url} — {_answer(page)}"
        state = "OK" if check.ok else ("FAIL" if check.ok is False else "-")
        yield f"  {check.name:<8} {state:<5} {check.detail}"
    for path in report.saved:
        yield f"  {'saved':<8} {path} (+ {META_SUFFIX})"


def _answer(page: Page) -> str:
    if page.error is not None:
        return reason_text(page.error)
    return f"HTTP {page.status}"
