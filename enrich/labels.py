"""Parse the labelled daily-report archive (hubtoday-daily Markdown) into items with weak heading labels.

Two layouts carry the generator's headings and are parsed:
- numbered items under `### 产品与功能更新` etc. (some days prefix "AI", some bold the heading);
- bold title paragraphs under `## **产品与功能更新**` (the 《分类深度解读》 part of mid-December days).
Skipped, and reported in `Archive.skipped`: days in the later "TOP 10" layout (no generator headings, and they
mix in non-AI community posts), and days with no generator heading at all (one flat list, no weak label).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

HEADINGS = ("产品与功能更新", "前沿研究", "行业展望与社会影响", "开源TOP项目", "社媒分享")

_HEADING = re.compile(r"^(#{1,4})\s+(.*?)\s*$")
_TOP10 = re.compile(r"TOP\s*10", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s{0,3}(\d{1,2})\.\s+(.*)$")
_BOLD_LINE = re.compile(r"^\*\*(.+?)\*\*\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\((https?://[^)\s]+)\)")
_HTML_TAG = re.compile(r"<[^>]+>")
_EMPHASIS = re.compile(r"\*{1,3}|`")
_SPACES = re.compile(r"\s+")
# The generator tags every link text with a "(AI资讯)" suffix; it says nothing about the item.
_SOURCE_TAG = re.compile(r"[（(]AI资讯(?:日报)?[）)]")
_SENTENCE_END = re.compile(r"[。！？!?]")


@dataclass(frozen=True)
class LabelledItem:
    """One archive item: its day, the generator's heading (weak label), a short title and the plain text."""

    date: str
    heading: str
    title: str
    body: str
    links: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Title and body as one string, the way documents are featurised."""
        return f"{self.title}\n{self.body}"


@dataclass
class Archive:
    """Parsed items, plus the days that were skipped and why."""

    items: list[LabelledItem] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def heading_label(text: str) -> str | None:
    """The generator heading a Markdown heading names ("### **AI前沿研究**" -> "前沿研究"), or None."""
    plain = _EMPHASIS.sub("", text).strip()
    plain = plain.removeprefix("AI").strip()
    return plain if plain in HEADINGS else None


def plain_text(markdown: str) -> str:
    """Markdown fragment to one line of plain text: images and tags dropped, links reduced to their text."""
    text = _IMAGE.sub("", markdown)
    text = _HTML_TAG.sub(" ", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _SOURCE_TAG.sub("", text)
    text = _EMPHASIS.sub("", text)
    return _SPACES.sub(" ", text).strip()


def derive_title(body: str, limit: int = 40) -> str:
    """A title for an item that has none: its first sentence, cut to `limit` characters."""
    match = _SENTENCE_END.search(body)
    first = body[: match.start()] if match else body
    return first[:limit].strip()


def _make_item(date: str, heading: str, title: str, lines: list[str]) -> LabelledItem | None:
    raw = " ".join(lines)
    links = tuple(dict.fromkeys(m.group(2) for m in _LINK.finditer(_IMAGE.sub("", raw))))
    body = plain_text(raw)
    title = plain_text(title)
    if not title:
        title = derive_title(body)
    if len(body) < 10 and len(title) < 10:
        return None
    return LabelledItem(date=date, heading=heading, title=title, body=body, links=links)


def _section_items(date: str, heading: str, lines: list[str]) -> list[LabelledItem]:
    """Items of one section: numbered paragraphs, or bold title lines each followed by a paragraph."""
    items: list[LabelledItem] = []
    title = ""
    current: list[str] | None = None

    def flush() -> None:
        if current:
            item = _make_item(date, heading, title, current)
            if item is not None:
                items.append(item)

    for line in lines:
        numbered = _NUMBERED.match(line)
        bold = _BOLD_LINE.match(line.strip())
        if numbered:
            flush()
            first = numbered.group(2).strip()
            # "1. **Title**" alone on its line, paragraph below (the 12-09 style), or the paragraph itself.
            bold_title = _BOLD_LINE.match(first)
            title, current = (bold_title.group(1), []) if bold_title else ("", [first])
        elif bold:
            flush()
            title, current = bold.group(1), []
        elif line.strip() in ("---", "***"):
            flush()
            title, current = "", None
        elif current is not None and line.strip() and not line.lstrip().startswith(">"):
            current.append(line.strip())
    flush()
    return items


def parse_day(markdown: str, date: str) -> tuple[list[LabelledItem], str | None]:
    """Items of one day's report, or ([], reason) when the day's layout is skipped."""
    lines = markdown.splitlines()
    headings = [(i, m) for i, line in enumerate(lines) if (m := _HEADING.match(line))]
    if any(_TOP10.search(m.group(2)) for _, m in headings):
        return [], "top10_layout"
    items: list[LabelledItem] = []
    bounds = [*headings, (len(lines), None)]
    for (start, match), (end, _) in itertools.pairwise(bounds):
        if match is None:
            continue
        label = heading_label(match.group(2))
        if label is not None:
            items.extend(_section_items(date, label, lines[start + 1 : end]))
    if not items:
        return [], "no_generator_headings"
    return items, None


def parse_archive(directory: Path, *, dates: Iterable[str] | None = None) -> Archive:
    """Every parseable day of the archive directory (files named YYYY-MM-DD.md), in date order."""
    wanted = set(dates) if dates is not None else None
    archive = Archive()
    for path in sorted(directory.glob("*.md")):
        date = path.stem
        if wanted is not None and date not in wanted:
            continue
        items, reason = parse_day(path.read_text(encoding="utf-8"), date)
        if reason is not None:
            archive.skipped[date] = reason
        archive.items.extend(items)
    return archive
