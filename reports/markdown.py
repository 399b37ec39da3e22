"""Markdown output of a report document, with every text run escaped."""

from __future__ import annotations

import re

import yaml

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

# Characters that open emphasis, code, links, raw HTML, strikethrough, headings and template tags
# (Liquid's and Hugo's ``{{``): escaped wherever they occur; CommonMark shows the character itself.
# Chinese text rarely contains them.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#~{}])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")  # "&lt;" would render as "<": keep it literal
# GFM turns bare www. and scheme:// into links (an escape breaks the pattern) and e-mail addresses
# (an escaped @ is still one, so it becomes a full-width ＠).
_AUTOLINK = re.compile(r"(?<=\bwww)\.|(?<=[A-Za-z])(?=://)", re.I)
_EMAIL_AT = re.compile(r"(?<=[\w.+-])@(?=[\w-])")
# What makes the start of a line a block: a list bullet, a setext/thematic rule, an ordered item.
_BLOCK_START = re.compile(r"^([-+=])|^(\d{1,9})([.)])")
_URL_SPECIAL = re.compile(r"[()<>\s\\\"'`]")
_SPACES = re.compile(r"\s+")
_WEB = ("http://", "https://")


def escape(text: str) -> str:
    """One line of text with Markdown's special characters escaped (line breaks become spaces)."""
    escaped = _ENTITY.sub(r"\\&", _SPECIAL.sub(r"\\\1", _SPACES.sub(" ", text)))
    return _EMAIL_AT.sub("＠", _AUTOLINK.sub(lambda m: "\\" + m.group(0), escaped))


def line_start(rendered: str) -> str:
    """A rendered line that cannot open a block: a leading bullet, rule or "1." is escaped."""
    stripped = rendered.lstrip()
    return _BLOCK_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", stripped)


def _cell(text: str) -> str:
    return escape(text).replace("|", "\\|")


def _url(url: str) -> str:
    return _URL_SPECIAL.sub(lambda m: f"%{ord(m.group()):02X}", url)


def inline(part: Inline) -> str:
    if isinstance(part, Text):
        return escape(part.text)
    if isinstance(part, Bold):
        # Emphasis must hug its text: "** x**" is no emphasis, and shows its asterisks.
        return f"**{escape(part.text.strip())}**" if part.text.strip() else ""
    if isinstance(part, Italic):
        return f"*{escape(part.text.strip())}*" if part.text.strip() else ""
    if isinstance(part, Code):
        return f"`{part.text.replace('`', '')}`" if part.text.strip() else ""
    if isinstance(part, Link):
        # Only web links are linked (a feed can carry javascript: or data: URLs); anything else is text.
        if not part.url.lower().startswith(_WEB):
            return escape(part.text)
        return f"[{escape(part.text)}]({_url(part.url)})"
    raise TypeError(part)


def render_line(parts: Line) -> str:
    """The line's runs, rendered and escaped; it cannot start a block of its own."""
    return line_start("".join(inline(p) for p in parts))


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
        return front_matter(block)
    raise TypeError(block)


class _FrontMatterDumper(yaml.SafeDumper):
    """Safe YAML; multi-line strings as literal blocks (indented, so no line can read as a delimiter)."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_FrontMatterDumper.add_representer(str, _represent_str)


def _plain(value: str) -> str:
    # Static-site templates print front matter unescaped (Jekyll's {{ page.title }}): it carries no markup.
    return value.replace("<", "＜").replace(">", "＞").replace("\r", "")


def front_matter(block: FrontMatter) -> str:
    """Front matter written by a YAML library: strings, dates and lists of strings, no raw HTML."""
    data: dict[str, object] = {}
    for key, value in block.fields:
        if isinstance(value, tuple):
            data[key] = [_plain(v) for v in value]
        elif isinstance(value, str):
            data[key] = _plain(value)
        else:
            data[key] = value
    text = yaml.dump(
        data, Dumper=_FrontMatterDumper, allow_unicode=True, sort_keys=False, width=1_000_000, default_flow_style=False
    )
    return f"---\n{text}---"


def render_markdown(document: Document) -> str:
    """The document as Markdown, blocks separated by blank lines, ending with a newline."""
    return "\n\n".join(_block(b) for b in document.blocks) + "\n"
