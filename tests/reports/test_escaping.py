"""No text can break a report: Markdown (read by GitHub's own cmark-gfm) and HTML keep their structure."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
import yaml
from cmarkgfm.cmark import Options

from reports.blocks import (
    Block,
    Bold,
    Document,
    FrontMatter,
    Heading,
    ItemList,
    Link,
    Paragraph,
    Quote,
    Table,
    Text,
    line,
)
from reports.html import render_html
from reports.markdown import front_matter, render_markdown

# Text a title, a summary, a body lead or an answer might carry.
HOSTILE = [
    "# 投资建议",
    "## 立即买入 ##",
    "- 列表项",
    "+ 列表项",
    "* 列表项",
    "1. 第一条",
    "2026) 年度回顾",
    "> 引用",
    "---",
    "***",
    "___",
    "===",
    "- - -",
    "| a | b |\n|---|---|\n| c | d |",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!-- 注释 -->",
    "[点击领奖](https://evil.xyz)",
    "![二维码](https://evil.xyz/qr.png)",
    "<https://evil.xyz>",
    "访问 www.evil.com 领取",
    "详见 https://evil.com/a 和 evil@evil.com",
    "[ref]: https://evil.xyz",
    "`代码`",
    "```js",
    "~~~",
    "~~删除线~~",
    "**加粗** 和 _强调_ 和 *斜体*",
    "&lt;script&gt; 与 &#60;b&#62;",
    "{{ site.secret }} {% include x %} {{< shortcode >}}",
    "    缩进的代码块",
    "第一行\n# 第二行是标题\n- 第三行是列表",
    "C# 与 F#",
    "结尾的反斜杠\\",
    "1\\. 已转义",
]
BENIGN = "正文"


def _document(text: str) -> Document:
    blocks: list[Block] = [
        Heading(2, line(text)),
        Heading(3, line(Link(text, "https://www.qbitai.com/2026/01/301122.html"))),
        Paragraph(line(text)),
        Paragraph(line(Bold(text), "：", text)),
        Quote(line(text)),
        ItemList((line(text), line(Bold(text), "：", text))),
        ItemList((line(text),), ordered=True),
        ItemList((line(text),), marker="•"),
        Table(("模型", "分数"), ((text, "1"), ("a", text))),
        Paragraph(line(Link("原文", "javascript:alert(1)"), Text(" "), text)),
    ]
    return Document(title=text, blocks=blocks)


class _Structure(HTMLParser):
    """The element structure of a page (tags and their href/src), without its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = {k: v for k, v in attrs if k in {"href", "src"}}
        self.tags.append(f"{tag}{kept}" if kept else tag)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(f"/{tag}")

    def handle_comment(self, data: str) -> None:
        self.tags.append("<!--comment-->")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Structure:
    parser = _Structure()
    parser.feed(html)
    return parser


def _github(markdown: str) -> str:
    # UNSAFE: raw HTML is passed through, so any that slipped past the escaping would show up here.
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_cannot_change_the_structure(text: str) -> None:
    hostile = _parse(_github(render_markdown(_document(text))))
    benign = _parse(_github(render_markdown(_document(BENIGN))))
    assert hostile.tags == benign.tags
    shown = "".join(hostile.text)
    written = _flat(text).replace("evil@", "evil＠")  # an e-mail address is shown with a full-width ＠
    assert shown.count(written) >= 9, "the text is shown as written in every block"


@pytest.mark.parametrize("text", HOSTILE)
def test_html_text_cannot_change_the_structure(text: str) -> None:
    hostile = _parse(render_html(_document(text)))
    benign = _parse(render_html(_document(BENIGN)))
    assert hostile.tags == benign.tags
    assert "".join(hostile.text).count(text) >= 9


def test_markdown_links_only_web_urls() -> None:
    page = _github(render_markdown(_document(BENIGN)))
    assert "javascript:" not in page
    assert 'href="https://www.qbitai.com/2026/01/301122.html"' in page


def _digest_front_matter(title: str, summary: str) -> str:
    block = FrontMatter(
        (
            ("title", title),
            ("date", date(2026, 1, 20)),
            ("category", "AI 日报"),
            ("tags", ("AI", title)),
            ("summary", summary),
        )
    )
    return front_matter(block)


@pytest.mark.parametrize("text", HOSTILE)
def test_front_matter_is_yaml_that_round_trips(text: str) -> None:
    summary = f"- {text}\n- 第二条\n---\n..."
    written = _digest_front_matter(text, summary)
    lines = written.split("\n")
    assert lines[0] == "---" and lines[-1] == "---"
    inner = lines[1:-1]
    # Nothing inside can end the front matter early (Jekyll and Hugo stop at a line of --- or ...).
    assert not any(re.match(r"(---|\.\.\.)\s*$", row) for row in inner)
    assert "<" not in written and ">" not in written.replace("＞", "")
    parsed = yaml.safe_load("\n".join(inner))
    plain = text.replace("<", "＜").replace(">", "＞")
    assert parsed == {
        "title": plain,
        "date": date(2026, 1, 20),
        "category": "AI 日报",
        "tags": ["AI", plain],
        "summary": summary.replace("<", "＜").replace(">", "＞"),
    }


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package: chromium)")
def test_hostile_html_in_a_headless_browser(tmp_path: Path) -> None:
    blocks: list[Block] = []
    for text in HOSTILE:
        blocks.extend(_document(text).blocks)
    page = tmp_path / "hostile.html"
    page.write_text(render_html(Document(title=HOSTILE[14], blocks=blocks)), encoding="utf-8")
    dom = subprocess.run(
        [CHROMIUM, *BROWSER_FLAGS, "--dump-dom", page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    elements = set(re.findall(r"<([a-z][a-z0-9]*)", dom))
    # The page's own frame (header with its h1, the table of contents) and the elements of the blocks, nothing else.
    frame = {"html", "head", "meta", "title", "style", "body", "header", "h1", "nav"}
    blocks_elements = {"h2", "h3", "p", "strong", "a", "blockquote", "ul", "ol", "li"}
    table = {"table", "thead", "tbody", "tr", "th", "td"}
    assert elements <= frame | blocks_elements | table
    assert dom.count("<h1") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom and "&lt;img src=x onerror=alert(1)&gt;" in dom
    assert 'href="https://evil.xyz"' not in dom and "javascript:" not in dom
