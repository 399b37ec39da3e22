"""``insight`` — AI洞察日报: a short overview, then AI items by category with key entities in bold."""

from __future__ import annotations

from datetime import datetime

from enrich.categorize import CATEGORIES
from enrich.commentary import DayNotes
from reports.blocks import Bold, Code, Document, Heading, Paragraph, Quote, Text, emphasize, line
from reports.board import Board
from reports.common import footer, llm_line, source_links
from reports.model import Day

HEADINGS = {"技术底座": "AI技术底座", "行业动态": "行业动态", "产业商业": "产业商业"}


def build(day: Day, notes: DayNotes, board: Board | None, generated_at: datetime) -> Document:
    """The insight report of ``day``: AI-relevant stories only, one entry per event."""
    del board  # this style has no leaderboard
    name = f"AI洞察日报 {day.date.year}/{day.date.month}/{day.date.day}"
    doc = Document(title=name, name=name, llm=llm_line(notes))
    doc.add(Heading(2, line(doc.title)), Quote(line(Code("AI 日报"))))
    doc.add(Heading(2, line(Bold("今日摘要"))))
    doc.add(Paragraph(line(f"• {notes.overview}" if notes.overview else "• 今日没有与 AI 相关的新闻。")))
    doc.add(Heading(2, line(Bold("今日AI资讯"))))
    stories = day.ranked(ai_only=True)
    for category in CATEGORIES:
        members = [s for s in stories if s.category == category]
        if not members:
            continue
        doc.add(Heading(3, line(HEADINGS[category]), toc=True))
        for story in members:
            story_notes = notes.stories[story.id]
            doc.add(
                Paragraph(
                    (
                        Bold(f"• {story_notes.headline}"),
                        Text("："),
                        *emphasize(story_notes.summary, story_notes.entities),
                        Text(" "),
                        *source_links(story),
                    )
                )
            )
    doc.add(*footer(day, notes, generated_at, stories))
    return doc
