"""``tracker`` — 国产大模型日报: highlights, the LM Arena leaderboard, and every item newest first."""

from __future__ import annotations

from datetime import datetime

from enrich.commentary import DayNotes
from reports.blocks import Block, Bold, Document, Heading, ItemList, Link, Paragraph, Quote, Rule, Table, line
from reports.board import Board
from reports.common import clock, footer, llm_line, other_sources
from reports.model import Day

ARENA_LINKS = (
    ("LM Arena (lmarena.ai)", "https://lmarena.ai/"),
    ("原始数据", "https://github.com/nakasyou/lmarena-history"),
)


def leaderboard_blocks(board: Board | None, day: Day) -> list[Block]:
    """The two leaderboard tables, labelled with the snapshot's own date; a stale board says so."""
    blocks: list[Block] = [Heading(2, line("国产模型排行榜 (LM Arena)"))]
    if board is None:
        blocks.append(Paragraph(line(f"暂无排行榜数据：数据库中没有 {day.date.isoformat()} 或更早的 LM Arena 快照。")))
        return blocks
    if board.stale_days > 0:
        blocks.append(
            Quote(
                line(
                    Bold("注意"),
                    f"：以下排行榜为 {board.snapshot_label} 的快照，距本日报 {board.stale_days} 天，并非当日数据。",
                )
            )
        )
    blocks.append(Heading(3, line(f"全球 Top {len(board.top)}")))
    blocks.append(Table(("排名", "模型", "ELO 分数"), tuple((str(r.rank), r.model, r.score) for r in board.top)))
    blocks.append(Heading(3, line("国产模型排名")))
    if board.chinese:
        blocks.append(
            Table(("全球排名", "模型", "ELO 分数"), tuple((str(r.rank), r.model, r.score) for r in board.chinese))
        )
    else:
        blocks.append(Paragraph(line("该快照中没有识别到国产模型。")))
    (name, url), (raw_name, raw_url) = ARENA_LINKS
    blocks.append(
        Paragraph(
            line("数据来源: ", Link(name, url), " | ", Link(raw_name, raw_url), f" | 快照日期: {board.snapshot_label}")
        )
    )
    return blocks


def build(day: Day, notes: DayNotes, board: Board | None, generated_at: datetime) -> Document:
    """The tracker report of ``day``."""
    title = f"{day.date.isoformat()} 国产大模型日报"
    doc = Document(title=title, name=title, llm=llm_line(notes))
    doc.add(Heading(1, line(doc.title)), Heading(2, line("今日要点")))
    if notes.highlights:
        doc.add(ItemList(tuple(line(h.text) for h in notes.highlights), ordered=True))
    else:
        doc.add(Paragraph(line("今日没有与 AI 相关的要点。")))
    doc.add(Rule(), *leaderboard_blocks(board, day), Rule(), Heading(2, line("详细资讯")))
    stories = day.newest_first()
    for story in stories:
        article = story.lead
        meta = line(Bold("来源"), f": {article.source_name} | ", Bold("时间"), f": {clock(article.published_at)}")
        others = other_sources(story)
        if others:
            meta = (*meta, *line(" | "), *others)
        doc.add(
            Heading(3, line(article.title)),
            Paragraph(meta),
            Paragraph(line(notes.stories[story.id].summary)),
            Paragraph(line(Link("阅读原文", article.url))),
        )
    doc.add(Rule(), *footer(day, notes, generated_at, stories))
    return doc
