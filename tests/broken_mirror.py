"""Copies of the offline mirror with a site broken on purpose: a server error, robots.txt forbidding, a lost body,
a page the site lost while its lists still link it.

The demo mirror (``tests/fixtures/pages``) answers every link its lists give; these breakages are
made here, on a private copy, by the tests that check how a crawl counts and survives them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from crawler.mirror import EXPECTED_SUFFIX, META_SUFFIX, mirror_path, resolve
from tests.saved_pages import PROJECT_PAGES


def copy_mirror(dest: Path) -> Path:
    """A private copy of the project's mirror, to break without touching the fixtures."""
    shutil.copytree(PROJECT_PAGES, dest)
    return dest


def serve_status(mirror: Path, url: str, status: int) -> None:
    """Make the mirror answer ``url`` with ``status`` (its saved body stays)."""
    target = resolve(mirror, mirror_path(url))
    assert target is not None, f"the mirror has no {url}"
    meta = target.with_name(target.name + META_SUFFIX)
    spec = json.loads(meta.read_text(encoding="utf-8")) if meta.is_file() else {}
    meta.write_text(json.dumps(spec | {"status": status}), encoding="utf-8")


def forbid_robots(mirror: Path, host: str) -> None:
    """A robots.txt on ``host`` that forbids every page to every crawler."""
    (mirror / host / "robots.txt").write_text("User-agent: *\nDisallow: /\n", encoding="utf-8")


def lose_body(mirror: Path, url: str, marker: str) -> None:
    """The site moved its article text: the attributes the parser finds it by (``marker``) are renamed."""
    page = mirror / mirror_path(url)
    html = page.read_bytes()
    assert marker.encode() in html, f"{page} has no {marker}"
    page.write_bytes(html.replace(marker.encode(), b'class="moved-elsewhere"'))


def lose_page(mirror: Path, url: str) -> None:
    """The site no longer has ``url`` (the mirror answers 404 with its own short page); its lists still link it."""
    target = resolve(mirror, mirror_path(url))
    assert target is not None, f"the mirror has no {url}"
    for path in (target, *(target.with_name(target.name + suffix) for suffix in (META_SUFFIX, EXPECTED_SUFFIX))):
        path.unlink(missing_ok=True)


def serve_instead(mirror: Path, url: str, other: str) -> None:
    """Answer ``url`` with the page saved for ``other``, its status and headers included (a 404 page, say)."""
    source, target = resolve(mirror, mirror_path(other)), resolve(mirror, mirror_path(url))
    assert source is not None and target is not None, f"the mirror lacks {other} or {url}"
    shutil.copyfile(source, target)
    meta = source.with_name(source.name + META_SUFFIX)
    if meta.is_file():
        shutil.copyfile(meta, target.with_name(target.name + META_SUFFIX))
