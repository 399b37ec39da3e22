"""The document model every report style builds and every output format renders.

Styles produce blocks of typed inline runs; the Markdown and HTML renderers escape each run
for their format. Article text is therefore never interpreted as markup in either output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Bold:
    text: str


@dataclass(frozen=True)
class Italic:
    text: str


@dataclass(frozen=True)
class Code:
    """A short literal label (the insight style's `AI 日报` tag); never article text."""

    text: str


@dataclass(frozen=True)
class Link:
    text: str
    url: str


Inline = Text | Bold | Italic | Code | Link
Line = tuple[Inline, ...]


@dataclass(frozen=True)
class Heading:
    """A heading; ``toc`` puts it in the HTML page's table of contents (default: levels 1 and 2)."""

    level: int
    line: Line
    toc: bool | None = None

    @property
    def in_toc(self) -> bool:
        return self.level <= 2 if self.toc is None else self.toc


@dataclass(frozen=True)
class Paragraph:
    line: Line


@dataclass(frozen=True)
class Quote:
    line: Line


@dataclass(frozen=True)
class ItemList:
    """A bullet list (``marker`` "-" or "•"), or a numbered one."""

    items: tuple[Line, ...]
    ordered: bool = False
    marker: str = "-"


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Rule:
    pass


@dataclass(frozen=True)
class FrontMatter:
    """Static-site front matter: string and date fields, and lists of strings."""

    fields: tuple[tuple[str, str | date | tuple[str, ...]], ...]


Block = Heading | Paragraph | Quote | ItemList | Table | Rule | FrontMatter


@dataclass
class Document:
    """A report: its title (the Markdown heading), blocks, and what the HTML page says about itself.

    ``name`` is the report's name and day (``AI洞察日报 2026/1/20``), the page's ``<title>`` and
    ``<h1>``; ``llm`` says who wrote the text (``LLM: off``), shown under it.
    """

    title: str
    blocks: list[Block] = field(default_factory=list)
    name: str = ""
    llm: str = ""

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


def plain(parts: Line) -> str:
    """The text of a line without its markup."""
    return "".join(p.text for p in parts)


def line(*parts: Inline | str) -> Line:
    """An inline line; plain strings become ``Text`` runs."""
    return tuple(Text(p) if isinstance(p, str) else p for p in parts)


def _whole_word(text: str, entity: str) -> int:
    """The first occurrence of ``entity`` that does not start or end inside a Latin word (bench in SWE-bench)."""
    start = text.find(entity)
    while start >= 0:
        before = text[start - 1 : start]
        after = text[start + len(entity) : start + len(entity) + 1]
        inside = (before.isascii() and before.isalnum() and entity[0].isascii() and entity[0].isalnum()) or (
            after.isascii() and after.isalnum() and entity[-1].isascii() and entity[-1].isalnum()
        )
        if not inside and not (before == "-" and entity[0].isascii()):
            return start
        start = text.find(entity, start + 1)
    return -1


def emphasize(text: str, entities: Sequence[str]) -> Line:
    """``text`` with the first occurrence of each entity in bold (longest entities first, no overlaps)."""
    spans: list[tuple[int, int]] = []
    for entity in sorted({e for e in entities if e.strip()}, key=lambda e: (-len(e), e)):
        start = _whole_word(text, entity)
        if start < 0:
            continue
        end = start + len(entity)
        if all(end <= a or start >= b for a, b in spans):
            spans.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):  # adjacent bold runs become one, or Markdown would see "****"
        if merged and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    parts: list[Inline] = []
    cursor = 0
    for start, end in merged:
        if start > cursor:
            parts.append(Text(text[cursor:start]))
        parts.append(Bold(text[start:end]))
        cursor = end
    if cursor < len(text):
        parts.append(Text(text[cursor:]))
    return tuple(parts)
