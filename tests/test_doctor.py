"""``aidaily doctor``: the real spiders on a mirror with a broken source, OK/FAIL per check, failing pages saved."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from crawler.dates import SHANGHAI
from crawler.diagnosis import ARTICLE, LIST, Page, diagnose, report_lines, save_page
from crawler.mirror import META_SUFFIX, mirror_path, resolve
from crawler.pages import aibase, ithome
from tests.broken_mirror import copy_mirror, lose_body, serve_status

AIDAILY = str(Path(sys.executable).with_name("aidaily"))
FEED = "https://www.ithome.com/rss/"


def doctor(mirror: Path, out: Path, *spiders: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AIDAILY_DATA_DIR": str(out.parent / "data")}
    command = [AIDAILY, "doctor", *spiders, "--mirror", str(mirror), "--out", str(out)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_doctor_fails_the_body_of_a_page_that_lost_it_and_saves_the_page(tmp_path: Path) -> None:
    mirror = copy_mirror(tmp_path / "mirror")
    feed = (mirror / mirror_path(FEED)).read_text(encoding="utf-8")
    listed = ithome.parse_feed(feed, FEED)
    newest = listed[0]  # the doctor checks a list's first (newest) article
    lose_body(mirror, newest, 'class="post_content" id="paragraph"')
    serve_status(mirror, aibase.LIST_URL, 500)
    out = tmp_path / "doctor"
    result = doctor(mirror, out, "ithome", "aibase", "qbitai")
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    lines = result.stdout.splitlines()
    ithome_at = lines.index("ithome (IT之家): FAIL")
    checked = lines[ithome_at + 1 : ithome_at + 8]
    assert checked[:3] == [
        f"  list     {FEED} — HTTP 200",
        f"  links    OK    {len(listed)} article links",
        f"  article  {newest} — HTTP 200",
    ]
    # the site parser lost the body; the generic fallback still read the page, which the doctor says too
    assert checked[3].startswith("  title    OK    ") and checked[3].endswith(" (generic extractor)")
    assert checked[4].startswith("  body     FAIL  the site parser failed (no_body); the generic extractor read: ")
    assert checked[5].startswith("  date     OK    2026-01-20 ") and checked[5].endswith(" (generic extractor)")
    assert checked[6] == f"  saved    {out / mirror_path(newest)} (+ {META_SUFFIX})"
    assert "  links    FAIL  HTTP 500" in lines and "aibase (AIbase): FAIL" in lines
    assert "qbitai (量子位): OK" in lines
    assert [line for line in lines if line.startswith("  date ") and "OK" in line]  # qbitai's article has its date
    assert lines[-1].startswith("doctor: 1 OK, 2 FAIL; failing pages saved under ")
    assert "Traceback" not in result.stdout + result.stderr
    # the saved pages are a mirror: served as they were received, status and type included
    saved = resolve(out, mirror_path(newest))
    assert saved is not None and saved.read_bytes() == (mirror / mirror_path(newest)).read_bytes()
    meta = json.loads(saved.with_name(saved.name + META_SUFFIX).read_text(encoding="utf-8"))
    assert meta["status"] == 200 and meta["url"] == newest
    assert meta["headers"]["Content-Type"].startswith("text/html")
    assert "Content-Length" not in meta["headers"]
    listing = resolve(out, mirror_path(aibase.LIST_URL))
    assert listing is not None
    assert json.loads(listing.with_name(listing.name + META_SUFFIX).read_text(encoding="utf-8"))["status"] == 500
    assert resolve(out, "www.qbitai.com/feed") is None  # a source that passed leaves nothing behind


def page(url: str, role: str, **fields: object) -> Page:
    given = {"status": 200, "body": b"<html></html>"} | fields
    return Page(spider="qbitai", source="qbitai", url=url, role=role, **given)  # type: ignore[arg-type]


def test_checks_of_an_article_without_a_date_or_enough_body() -> None:
    published = datetime(2026, 1, 20, 13, 32, tzinfo=SHANGHAI)
    pages = [
        page("https://www.qbitai.com/feed", LIST, links=3),
        page("https://www.qbitai.com/1.html", ARTICLE, article={"title": "量子位", "body": "短", "published_at": None}),
    ]
    [report] = diagnose(pages, min_body_chars=10)
    assert [(c.name, c.ok) for c in report.checks] == [
        ("links", True),
        ("title", True),
        ("body", False),
        ("date", False),
    ]
    assert report.checks[3].detail == "no publication date found"
    assert [p.url for p in report.failing_pages] == ["https://www.qbitai.com/1.html"]
    good = pages[1].article | {"body": "多家厂商下调了大模型API价格。", "published_at": published}  # type: ignore[operator]
    [fine] = diagnose([pages[0], page("https://www.qbitai.com/1.html", ARTICLE, article=good)], min_body_chars=10)
    assert not fine.failed and fine.checks[3].detail == "2026-01-20 13:32"
    assert next(report_lines(fine, "量子位")) == "qbitai (量子位): OK"
    [idle] = diagnose([], min_body_chars=10, spiders=["rss"])
    assert list(report_lines(idle, "rss")) == ["rss: nothing to check (no request made)"]


def test_a_saved_page_where_a_folder_must_go_moves_to_its_index(tmp_path: Path) -> None:
    listing = page("https://news.aibase.com/zh/news", LIST, status=500, headers={"Content-Length": "5", "X-A": "1"})
    first = save_page(tmp_path, listing)
    assert first == tmp_path / "news.aibase.com/zh/news"
    article = save_page(tmp_path, page("https://news.aibase.com/zh/news/24640", ARTICLE))
    assert article == tmp_path / "news.aibase.com/zh/news/24640"
    moved = resolve(tmp_path, "news.aibase.com/zh/news")
    assert moved == tmp_path / "news.aibase.com/zh/news/index.html"
    meta = json.loads((tmp_path / "news.aibase.com/zh/news/index.html.meta.json").read_text(encoding="utf-8"))
    assert meta == {"url": "https://news.aibase.com/zh/news", "status": 500, "headers": {"X-A": "1"}}


def test_every_check_is_one_line() -> None:
    doc = {
        "title": "36氪",
        "body": "文｜邱晓芬\n编辑｜苏建勋\n2026年刚开年，国内大模型厂商又一次集体调价。",
        "published_at": None,
    }
    [report] = diagnose(
        [page("https://36kr.com/feed", LIST, links=1), page("https://36kr.com/p/1", ARTICLE, article=doc)],
        min_body_chars=10,
    )
    assert all("\n" not in c.detail for c in report.checks)
    assert report.checks[2].detail.startswith("37 characters: 文｜邱晓芬 编辑｜苏建勋 2026年")
