"""Every saved page against its expected output: one parametrised case per page."""

from __future__ import annotations

import pytest

from crawler import pages
from crawler.dates import SHANGHAI
from crawler.normalize import normalize_article
from tests.saved_pages import SavedPage, saved_pages

PAGES = list(saved_pages())
# Boilerplate that must never reach a stored body, whatever the site.
NEVER_IN_BODY = ("相关阅读", "相关推荐", "责任编辑", "<p", "<div", "&nbsp;")


def test_there_are_saved_pages() -> None:
    assert len(PAGES) >= 10


@pytest.mark.parametrize("page", PAGES, ids=[p.id for p in PAGES])
def test_saved_page(page: SavedPage) -> None:
    parser = page.parser()
    expected = page.expected
    assert not expected.get("review"), "recorded expected output must be checked by hand first"
    if "error" in expected:
        with pytest.raises(getattr(pages, expected["error"])):
            parser(page.text(), page.url)
        return
    result = parser(page.text(), page.url)
    if "links" in expected:
        assert list(result) == expected["links"]
        return
    doc = normalize_article(result, fetched_at=page.fetched_at)
    got = dict(doc)
    got["published_at"] = doc["published_at"].astimezone(SHANGHAI).isoformat() if doc["published_at"] else None
    for key, value in expected["article"].items():
        assert got[key] == value, f"{key} differs"
    body = doc["body"]
    for fragment in expected.get("must_contain", []):
        assert fragment in body
    for fragment in expected.get("must_not_contain", []) + [
        f for f in NEVER_IN_BODY if f not in expected.get("may_contain", [])
    ]:
        assert fragment not in body, f"{fragment!r} leaked into the body"
