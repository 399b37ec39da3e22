"""Saved fixture pages and their expected parser output, as the parser tests and benchmarks read them."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy.http import Headers
from scrapy.http.response.text import TextResponse
from scrapy.responsetypes import responsetypes

from crawler.mirror import EXPECTED_SUFFIX, META_SUFFIX, SIDE_FILES
from tests.shared_data import shared_path

REPO = Path(__file__).resolve().parent.parent
# The hand-built pages of one day (2026-01-20): the offline mirror the demo and the crawl tests serve.
PROJECT_PAGES = REPO / "tests" / "fixtures" / "pages"
SHARED_PAGES = shared_path("fixtures", "pages")  # absent on a fresh clone: saved_pages() skips it
# The real captures, in the mirror layout: every one's expected file, and beside it the page itself
# when this repository keeps it (list pages, excerpts); the others are in SHARED_PAGES, read-only
# and absent on a fresh clone. Never served by a crawl: their links are to days the mirror lacks.
REAL_PAGES = REPO / "tests" / "fixtures" / "real"


@dataclass
class SavedPage:
    """A saved page, the URL it was saved from, and what its parser must produce."""

    path: Path
    url: str
    expected: dict[str, Any]

    @property
    def id(self) -> str:
        return self.url.split("://", 1)[1]

    @property
    def available(self) -> bool:
        """Whether the page itself is here (a shared capture is absent without ``../shared``)."""
        return self.path.is_file()

    @property
    def real(self) -> bool:
        """Whether the page was captured from the live site by someone else (``provenance`` says where)."""
        return bool(self.expected.get("provenance"))

    def text(self) -> str:
        """The page decoded as Scrapy decodes it (headers, meta charset, BOM, then sniffing)."""
        headers: dict[str, str] = {}
        meta = self.path.with_name(self.path.name + META_SUFFIX)
        if meta.is_file():
            headers = json.loads(meta.read_text(encoding="utf-8")).get("headers", {})
        body = self.path.read_bytes()
        cls = responsetypes.from_args(headers=Headers(headers), url=self.url, body=body)
        response = cls(url=self.url, body=body, headers=headers)
        assert isinstance(response, TextResponse), f"{self.path} is not a text page"
        return response.text

    def parser(self) -> Callable[..., Any]:
        module, func = self.expected["parser"].split(":")
        return getattr(importlib.import_module(module), func)

    @property
    def fetched_at(self) -> datetime:
        return datetime.fromisoformat(self.expected.get("fetched_at", "2026-01-20T15:00:00+08:00"))


def url_of(root: Path, path: Path) -> str:
    """The real URL a mirror file was saved from (the inverse of ``crawler.mirror.mirror_path``)."""
    name = path.relative_to(root).as_posix()
    if name.endswith("/index.html"):
        name = name[: -len("index.html")]
    name = name.replace("%3F", "?", 1)
    return "https://" + name


def page_files(*roots: Path) -> list[Path]:
    """Every saved page under the given mirror folders (not their meta or expected files), sorted."""
    return sorted(p for root in roots for p in root.rglob("*") if p.is_file() and not p.name.endswith(SIDE_FILES))


def saved_pages(*roots: Path) -> Iterator[SavedPage]:
    """Every page with an expected-output file under the given mirror folders, sorted."""
    for root in roots or (PROJECT_PAGES,):
        if not root.is_dir():
            continue
        for expected in sorted(root.rglob("*" + EXPECTED_SUFFIX)):
            page = expected.with_name(expected.name[: -len(EXPECTED_SUFFIX)])
            spec = json.loads(expected.read_text(encoding="utf-8"))
            url = spec.get("url") or url_of(root, page)
            yield SavedPage(page, url, spec)


def real_pages() -> Iterator[SavedPage]:
    """Every real capture with its expected file from REAL_PAGES: the page kept there, else in ``../shared``.

    Yielded whether or not ``../shared`` is there (``SavedPage.available`` tells), so a test
    can skip each one with a reason instead of silently having fewer cases.
    """
    for expected in sorted(REAL_PAGES.rglob("*" + EXPECTED_SUFFIX)):
        kept = expected.with_name(expected.name[: -len(EXPECTED_SUFFIX)])
        name = kept.relative_to(REAL_PAGES).as_posix()
        spec = json.loads(expected.read_text(encoding="utf-8"))
        url = spec.get("url") or url_of(REAL_PAGES, kept)
        yield SavedPage(kept if kept.is_file() else SHARED_PAGES / name, url, spec)
