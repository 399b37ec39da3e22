"""``digest`` — AI 日报 blog post: front matter, the top stories under topic headings, 更多动态 for the rest."""

from __future__ import annotations

from datetime import datetime

from crawler.summary import news_sentence
from enrich.commentary import DayNotes, StoryNotes
from reports.blocks import Block, Bold, Document, FrontMatter, Heading, ItemList, Link, Paragraph, Rule, Text, line
from reports.board import Board
from reports.common import footer, llm_line, other_sources
from reports.model import Day, Story

MIN_DEEP = 4
MAX_DEEP = 8


def deep_count(requested: int) -> int:
    """How many stories get the full treatment: the setting, kept within 4–8."""
    return min(max(requested, MIN_DEEP), MAX_DEEP)


def _story_blocks(story: Story, notes: StoryNotes) -> list[Block]:
    article = story.lead
    blocks: list[Block] = [Heading(3, line(Link(article.title, article.url)))]
    if notes.key_points:
        blocks.append(ItemList(tuple(line(Bold(p.label), f"：{p.text}") for p in notes.key_points)))
    else:
        blocks.append(Paragraph(line(notes.summary)))
    others = other_sources(story, prefix="其他来源: ")
    if others:
        blocks.append(Paragraph(others))
    if notes.analysis:
        blocks.append(Paragraph(line(Bold("深度解读 & 洞察："))))
        blocks.extend(Paragraph(line(p)) for p in notes.analysis)
    if notes.impacts:
        blocks.append(Paragraph(line(Bold("影响："))))
        blocks.append(ItemList(tuple(line(Bold(i.who), f"：{i.text}") for i in notes.impacts)))
    return blocks


def build(day: Day, notes: DayNotes, board: Board | None, generated_at: datetime, *, deep: int = 6) -> Document:
    """The digest of ``day``: ``deep`` stories in depth (4–8), grouped by the day's topics."""
    del board  # this style has no leaderboard
    ranked = day.ranked(ai_only=True)
    featured = {s.id for s in ranked[: deep_count(deep)]}
    title = notes.title or f"{day.date.isoformat()} AI 日报"
    summary = "\n".join(f"- {h.text}" for h in notes.highlights[:5])
    name = f"AI 日报 {day.date.year}/{day.date.month}/{day.date.day}"
    doc = Document(title=title, name=name, llm=llm_line(notes))
    doc.add(
        FrontMatter(
            (
                ("title", title),
                ("date", day.date),
                ("category", "AI 日报"),
                ("tags", ("AI", "AI 日报")),
                ("summary", summary),
            )
        ),
        Heading(1, line(title)),
    )
    if notes.overview:
        doc.add(Paragraph(line(notes.overview)))
    placed: set[str] = set()
    sections: list[tuple[str, list[Story]]] = []
    for topic in notes.topics:
        members = [s for s in ranked if s.id in topic.story_ids and s.id in featured and s.id not in placed]
        placed.update(s.id for s in members)
        if members:
            sections.append((topic.heading, members))
    for story in ranked:  # featured stories the topics missed get a section named after their event
        if story.id in featured and story.id not in placed:
            sections.append((story.label or story.category, [story]))
            placed.add(story.id)
    for heading, members in sections:
        doc.add(Heading(2, line(heading)))
        for story in members:
            doc.add(*_story_blocks(story, notes.stories[story.id]), Rule())
    rest = [s for s in ranked if s.id not in featured]
    if rest:
        doc.add(Heading(2, line("更多动态")))
        items = []
        for story in rest:
            story_notes = notes.stories[story.id]
            sentence = news_sentence(story_notes.summary)  # the news, not a hook that opens the summary
            others = other_sources(story, prefix="另见: ")
            also = (Text("（"), *others, Text("）")) if others else ()
            items.append((Bold(story.lead.title), Link("链接", story.lead.url), Text(f"：{sentence}"), *also))
        doc.add(ItemList(tuple(items)))
    doc.add(*footer(day, notes, generated_at, ranked))
    return doc
