"""Every saved page against its expected output: one parametrised case per page.

The project's own mirror of hand-built pages (``tests/fixtures/pages``) and the real captures
(``tests/fixtures/real``: their expected files, and the pages this repository keeps; the others in
``../shared``) go through the same comparison; a shared capture is skipped with a reason when
``../shared`` is absent.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from crawler import pages
from crawler.dates import SHANGHAI
from crawler.normalize import normalize_article
from tests.saved_pages import PROJECT_PAGES, REAL_PAGES, SHARED_PAGES, SavedPage, real_pages, saved_pages

PAGES = list(saved_pages()) + list(real_pages())
# Boilerplate that must never reach a stored body, whatever the site.
NEVER_IN_BODY = ("相关阅读", "相关推荐", "责任编辑", "<p", "<div", "&nbsp;")
_SECONDS = re.compile(r"T\d{2}:\d{2}:\d{2}")


def test_there_are_saved_pages() -> None:
    assert len(PAGES) >= 10


def test_every_shared_capture_has_an_expected_file() -> None:
    if not SHARED_PAGES.is_dir():
        pytest.skip(f"{SHARED_PAGES} is absent: the real captures are not on this machine")
    captured = {p.relative_to(SHARED_PAGES).as_posix() for p in SHARED_PAGES.rglob("*") if p.is_file()}
    captured -= {"REAL.md"}
    shared = [p for p in real_pages() if p.path.is_relative_to(SHARED_PAGES)]
    assert captured == {p.path.relative_to(SHARED_PAGES).as_posix() for p in shared}
    kept_here = {p.path.relative_to(REAL_PAGES).as_posix() for p in real_pages() if p.path.is_relative_to(REAL_PAGES)}
    assert not captured & kept_here, "a real capture is kept in one place, here or in ../shared"


def test_real_captures_are_apart_from_the_hand_built_mirror() -> None:
    kept = [p for p in real_pages() if p.path.is_relative_to(REAL_PAGES)]
    assert len(kept) >= 5, "the real list captures are kept in tests/fixtures/real"
    assert all(p.real and p.available for p in kept)
    # The crawl mirror is one hand-built day: a real capture there would link pages of another day.
    assert not [p.url for p in saved_pages(PROJECT_PAGES) if p.real]


@pytest.mark.parametrize("page", PAGES, ids=[("real/" if p.real else "") + p.id for p in PAGES])
def test_saved_page(page: SavedPage) -> None:
    if not page.available:
        pytest.skip(f"{page.path} is absent: ../shared is not on this machine")
    parser = page.parser()
    expected = page.expected
    assert not expected.get("review"), "recorded expected output must be checked by hand first"
    if "error" in expected:
        with pytest.raises(getattr(pages, expected["error"])) as raised:
            parser(page.text(), page.url)
        if "reason" in expected:
            assert raised.value.reason == expected["reason"]
        return
    result = parser(page.text(), page.url)
    if "links" in expected:
        assert list(result) == expected["links"]
        return
    doc = normalize_article(result, fetched_at=page.fetched_at)
    got = dict(doc)
    for key, value in expected["article"].items():
        if key == "published_at":
            assert same_time(doc["published_at"], value), f"published_at {doc['published_at']} is not {value}"
        else:
            assert got[key] == value, f"{key} differs"
    body = doc["body"]
    lines = body.split("\n")
    if "body_first" in expected:
        assert lines[0] == expected["body_first"], "the body does not start with the article's first paragraph"
    if "body_last" in expected:
        assert lines[-1] == expected["body_last"], "the body does not end with the article's last paragraph"
    for fragment in expected.get("must_contain", []):
        assert fragment in body
    for fragment in expected.get("must_not_contain", []) + [
        f for f in NEVER_IN_BODY if f not in expected.get("may_contain", [])
    ]:
        assert fragment not in body, f"{fragment!r} leaked into the body"


def same_time(got: datetime | None, want: Any) -> bool:
    """An expected time with seconds must match exactly; one written to the minute, to the minute."""
    if got is None or want is None:
        return got is None and want is None
    wanted = datetime.fromisoformat(want)
    got = got.astimezone(SHANGHAI)
    if _SECONDS.search(want):
        return got == wanted
    return got.replace(second=0, microsecond=0) == wanted


def test_same_time_is_to_the_minute_only_when_written_so() -> None:
    got = datetime.fromisoformat("2026-08-21T17:33:22.299282+08:00")
    assert same_time(got, "2026-08-21T17:33+08:00")
    assert not same_time(got, "2026-08-21T17:33:00+08:00")
    assert not same_time(got, "2026-08-21T17:34+08:00")
    assert not same_time(None, "2026-08-21T17:33+08:00")
