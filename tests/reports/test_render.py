"""The document model's renderers: Markdown escaping, bold entities, HTML from the same blocks."""

from __future__ import annotations

from reports.blocks import Bold, Document, Heading, ItemList, Link, Paragraph, Table, Text, emphasize, line
from reports.html import render_html
from reports.markdown import escape, render_markdown


def test_markdown_escapes_article_text() -> None:
    assert escape("<b>x</b> [a](b) *c* _d_") == r"\<b\>x\</b\> \[a\](b) \*c\* \_d\_"
    assert escape("第一行\n第二行") == "第一行 第二行"
    doc = Document("t", [Table(("模型", "分数"), (("a|b", "1"),))])
    assert "| a\\|b | 1 |" in render_markdown(doc)


def test_link_urls_cannot_break_out_of_markdown() -> None:
    doc = Document("t", [Paragraph(line(Link("原文", "https://x.cn/a b)c")))])
    assert render_markdown(doc) == "[原文](https://x.cn/a%20b%29c)\n"


def test_emphasize_bolds_first_occurrences_without_overlap() -> None:
    parts = emphasize("深度求索发布DeepSeek-V4，深度求索称", ["深度求索", "DeepSeek-V4", "Deep"])
    assert parts == (Bold("深度求索"), Text("发布"), Bold("DeepSeek-V4"), Text("，深度求索称"))
    # adjacent entities become one bold run, or Markdown would print "****"
    assert emphasize("开源推理框架", ["开源", "推理框架"]) == (Bold("开源推理框架"),)


def test_both_formats_render_the_same_blocks() -> None:
    doc = Document("标题", [Heading(1, line("标题")), ItemList((line(Bold("要点"), "：事实"),), ordered=True)])
    assert render_markdown(doc) == "# 标题\n\n1. **要点**：事实\n"
    page = render_html(doc)
    assert "<h1>标题</h1>" in page and "<ol><li><strong>要点</strong>：事实</li></ol>" in page
