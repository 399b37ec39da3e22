"""``--format html``: escaped, self-contained, and rendered by a real headless browser."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from crawler.store import Store
from reports.blocks import Document, Heading, Link, Paragraph, line
from reports.html import render_html
from tests.reports.cli import Cli, isolate_settings
from tests.reports.fixture_day import DAY, insert_day

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def html_report(store: Store, mongo_uri: str, db_name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    isolate_settings(monkeypatch, db_name)
    insert_day(store)
    out = tmp_path / "tracker.html"
    result = Cli(mongo_uri)("report", "--date", DAY, "--style", "tracker", "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_html_escapes_article_text(html_report: Path) -> None:
    page = html_report.read_text(encoding="utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 开源推理框架 [FastInfer] 发布 *2.0* 版本" in page
    assert '<a href="https://www.oschina.net/news/330011" rel="noopener noreferrer">阅读原文</a>' in page
    assert "<table>" in page and "<td>deepseek-v4</td>" in page


def test_html_page_names_its_report_and_day_says_who_wrote_it_and_lists_its_sections(html_report: Path) -> None:
    page = html_report.read_text(encoding="utf-8")
    assert "<title>2026-01-20 国产大模型日报</title>" in page
    assert page.count("<h1>") == 1 and "<h1>2026-01-20 国产大模型日报</h1>" in page
    assert '<p class="llm">LLM: off（摘要与要点摘自原文）</p>' in page
    for n, section in enumerate(("今日要点", "国产模型排行榜 (LM Arena)", "详细资讯"), 1):
        assert f'<a href="#s{n}">{section}</a>' in page and f'<h2 id="s{n}">{section}</h2>' in page


def test_a_document_title_that_is_not_the_name_becomes_a_headline() -> None:
    doc = Document("当天主线", [Heading(1, line("当天主线"))], name="AI 日报 2026/1/20", llm="LLM: m")
    page = render_html(doc)
    assert "<title>AI 日报 2026/1/20</title>" in page and "<h1>AI 日报 2026/1/20</h1>" in page
    assert '<h2 class="headline">当天主线</h2>' in page and '<p class="llm">LLM: m</p>' in page


def png_pixels(path: Path) -> bytes:
    """The decompressed image data of a PNG (filter bytes included): enough to tell a blank page."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            chunks.append(data[pos + 8 : pos + 8 + size])
        pos += 12 + size
    return zlib.decompress(b"".join(chunks))


def test_html_links_only_web_urls() -> None:
    doc = Document("t", [Heading(1, line("t")), Paragraph(line(Link("x", "javascript:alert(1)")))])
    page = render_html(doc)
    assert "javascript:" not in page and "<p>x</p>" in page


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package: chromium)")
def test_html_in_a_headless_browser(html_report: Path, tmp_path: Path) -> None:
    url = html_report.resolve().as_uri()
    dom = subprocess.run(
        [CHROMIUM, *BROWSER_FLAGS, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert "<script" not in dom.lower()  # the title's script is text, not an element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "2026-01-20 国产大模型日报" in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, *BROWSER_FLAGS, f"--screenshot={shot}", "--window-size=1000,1400", url],
        capture_output=True,
        timeout=120,
        check=True,
    )
    pixels = png_pixels(shot)
    # Not blank: text, links and table borders make many distinct byte values; an empty page has two or three.
    assert len(set(pixels)) > 50, "the screenshot is blank"
