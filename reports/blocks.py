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
    level: int
    line: Line


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
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


def line(*parts: Inline | str) -> Line:
    """An inline line; plain strings become ``Text`` runs."""
    return tuple(Text(p) if isinstance(p, str) else p for p in parts)


def emphasize(text: str, entities: Sequence[str]) -> Line:
    """``text`` with the first occurrence of each entity in bold (longest entities first, no overlaps)."""
    spans: list[tuple[int, int]] = []
    for entity in sorted({e for e in entities if e.strip()}, key=lambda e: (-len(e), e)):
        start = text.find(entity)
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
