"""Pieces every report style shares: source links, time formatting, the footer."""

from __future__ import annotations

from datetime import datetime

from enrich.commentary import DayNotes
from reports.blocks import Inline, Italic, Line, Link, Paragraph, Text
from reports.model import Day, Story


def clock(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def other_sources(story: Story, *, prefix: str = "另见: ") -> Line:
    """Links to the other sites that reported the story, and the day it was first reported if earlier; or nothing."""
    parts: list[Inline] = []
    if story.others:
        parts.append(Text(prefix))
        for n, article in enumerate(story.others):
            if n:
                parts.append(Text("、"))
            parts.append(Link(article.source_name, article.url))
    if story.since is not None:
        parts.append(Text(f"{'；' if parts else ''}持续报道，首见于 {story.since:%Y-%m-%d}"))
    return tuple(parts)


def source_links(story: Story) -> Line:
    """Every source of the story, each linked to its own article, lead first."""
    parts: list[Inline] = []
    for n, article in enumerate(story.articles):
        if n:
            parts.append(Text(" · "))
        parts.append(Link(article.source_name, article.url))
    return tuple(parts)


def footer(day: Day, notes: DayNotes, generated_at: datetime) -> list[Paragraph]:
    """The closing lines: generation time (from the data, not the clock) and how the text was written."""
    stamp = generated_at.strftime("%Y-%m-%d %H:%M:%S")
    counts = f"共 {day.article_count} 篇文章、{len(day.stories)} 个事件"
    if day.duplicates_folded:
        counts += f"，合并重复 {day.duplicates_folded} 篇"
    lines = [Paragraph((Italic(f"本日报由 aidaily 自动生成，更新时间: {stamp}（{counts}）"),))]
    if day.health:
        lines.append(Paragraph((Italic("数据源健康检查: " + "；".join(day.health) + "。"),)))
    if notes.model is None:
        lines.append(
            Paragraph(
                (Italic("未配置 LLM：摘要与要点均摘自原文（导语句与 TF-IDF 关键词），未生成深度解读与影响分析。"),)
            )
        )
        return lines
    share = notes.grounding.share
    grounded = (
        f"{share:.0%}（{notes.grounding.kept}/{notes.grounding.total} 句）" if share is not None else "无生成句子"
    )
    text = f"摘要与解读由 LLM（{notes.model}）依据原文生成并逐句核对来源：有原文支撑的句子占 {grounded}，其余已删除"
    if notes.fallbacks:
        text += f"；{notes.fallbacks} 处因回答无效或服务不可用改用原文摘录"
    lines.append(Paragraph((Italic(text + "。"),)))
    return lines
