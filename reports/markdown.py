"""Markdown output of a report document, with every text run escaped."""

from __future__ import annotations

import json
import re

from reports.blocks import (
    Block,
    Bold,
    Code,
    Document,
    FrontMatter,
    Heading,
    Inline,
    Italic,
    ItemList,
    Line,
    Link,
    Paragraph,
    Quote,
    Rule,
    Table,
    Text,
)

# Characters that would start emphasis, links, raw HTML or table cells; escaped with a
# backslash (CommonMark shows the character itself). Chinese text rarely contains them.
_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_URL_SPECIAL = re.compile(r"[()<> ]")
_SPACES = re.compile(r"\s+")


def escape(text: str) -> str:
    """One line of text with Markdown's special characters escaped (line breaks become spaces)."""
    return _SPECIAL.sub(r"\\\1", _SPACES.sub(" ", text))


def _cell(text: str) -> str:
    return escape(text).replace("|", "\\|")


def _url(url: str) -> str:
    return _URL_SPECIAL.sub(lambda m: f"%{ord(m.group()):02X}", url)


def inline(part: Inline) -> str:
    if isinstance(part, Text):
        return escape(part.text)
    if isinstance(part, Bold):
        return f"**{escape(part.text)}**" if part.text.strip() else ""
    if isinstance(part, Italic):
        return f"*{escape(part.text)}*" if part.text.strip() else ""
    if isinstance(part, Code):
        return f"`{part.text.replace('`', '')}`" if part.text.strip() else ""
    if isinstance(part, Link):
        return f"[{escape(part.text)}]({_url(part.url)})"
    raise TypeError(part)


def render_line(parts: Line) -> str:
    return "".join(inline(p) for p in parts)


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"{'#' * block.level} {render_line(block.line)}"
    if isinstance(block, Paragraph):
        return render_line(block.line)
    if isinstance(block, Quote):
        return f"> {render_line(block.line)}"
    if isinstance(block, ItemList):
        if block.ordered:
            return "\n".join(f"{n}. {render_line(item)}" for n, item in enumerate(block.items, 1))
        return "\n".join(f"{block.marker} {render_line(item)}" for item in block.items)
    if isinstance(block, Table):
        rows = [block.header, tuple("-" * max(3, len(h) * 2) for h in block.header), *block.rows]
        return "\n".join("| " + " | ".join(_cell(c) if i != 1 else c for c in row) + " |" for i, row in enumerate(rows))
    if isinstance(block, Rule):
        return "---"
    if isinstance(block, FrontMatter):
        fields = []
        for key, value in block.fields:
            if isinstance(value, tuple):
                fields.append(f"{key}: {json.dumps(list(value), ensure_ascii=False, separators=(',', ':'))}")
            elif key in {"date", "category"} or not value:
                fields.append(f"{key}: {value}")
            else:
                fields.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
        return "---\n" + "\n".join(fields) + "\n---"
    raise TypeError(block)


def render_markdown(document: Document) -> str:
    """The document as Markdown, blocks separated by blank lines, ending with a newline."""
    return "\n\n".join(_block(b) for b in document.blocks) + "\n"
