"""Pieces every report style shares: source links, time formatting, the footer."""

from __future__ import annotations

from collections.abc import Sequence
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


# What extractive text is, said after why no LLM wrote it: none configured, or none of its text was usable.
EXTRACTIVE_TEXT = "摘要、要点与今日摘要均摘自原文（导语句；要点名为句中的名称与动作），未生成深度解读与影响分析。"
EXTRACTIVE_NOTE = "未配置 LLM：" + EXTRACTIVE_TEXT


def nothing_generated(notes: DayNotes) -> bool:
    """Whether an LLM was configured but not one of its sentences reached the report."""
    return notes.model is not None and notes.grounding.kept == 0


def llm_line(notes: DayNotes) -> str:
    """Who wrote the text, in one line for the top of the HTML page."""
    if notes.model is None:
        return "LLM: off（摘要与要点摘自原文）"
    if nothing_generated(notes):
        return f"LLM: {notes.model}（未采用其文字，摘要与要点摘自原文）"
    return f"LLM: {notes.model}"


def counts_line(day: Day, shown: Sequence[Story]) -> str:
    """What the report shows and what it left out: ``本期 17 个事件、19 篇文章；未收录 2 篇非 AI 资讯``."""
    ids = {s.id for s in shown}
    articles = sum(len(s.articles) for s in shown)
    text = f"本期 {len(shown)} 个事件、{articles} 篇文章"
    left = [s for s in day.stories if s.id not in ids]
    non_ai = sum(len(s.articles) for s in left if not s.is_ai)
    other = sum(len(s.articles) for s in left if s.is_ai)
    if non_ai:
        text += f"；未收录 {non_ai} 篇非 AI 资讯"
    if other:
        text += f"；另有 {other} 篇未列出"
    folded = sum(s.folded for s in shown)
    if folded:
        text += f"；合并重复 {folded} 篇"
    return text


def footer(day: Day, notes: DayNotes, generated_at: datetime, shown: Sequence[Story]) -> list[Paragraph]:
    """The closing lines: generation time (from the data, not the clock), what ``shown`` holds, how it was written."""
    stamp = generated_at.strftime("%Y-%m-%d %H:%M:%S")
    lines = [Paragraph((Italic(f"本日报由 aidaily 自动生成，更新时间: {stamp}（{counts_line(day, shown)}）"),))]
    if day.health:
        lines.append(Paragraph((Italic("数据源健康检查: " + "；".join(day.health) + "。"),)))
    lines.append(Paragraph((Italic(llm_note(notes)),)))
    return lines


def llm_note(notes: DayNotes) -> str:
    """How the text was written, every figure exact: the LLM's kept and deleted sentences, what it did not write."""
    if notes.model is None:
        return EXTRACTIVE_NOTE
    failed = notes.fallbacks - notes.unsupported
    kept, total = notes.grounding.kept, notes.grounding.total
    if nothing_generated(notes):
        why = []
        if failed:
            why.append(f"{failed} 处请求的回答无效或服务不可用")
        if total:
            why.append(f"生成的 {total} 句均无原文支撑，已删除")
        return f"未采用 LLM（{notes.model}）的任何文字{'（' + '；'.join(why) + '）' if why else ''}：{EXTRACTIVE_TEXT}"
    checked = (
        f"全部 {total} 句均有原文支撑"
        if kept == total
        else f"有原文支撑的句子占 {_percent(kept, total)}（{kept}/{total} 句），其余 {total - kept} 句已删除"
    )
    text = f"摘要与解读由 LLM（{notes.model}）依据原文生成并逐句核对来源：{checked}"
    causes = [f"{failed} 处因回答无效或服务不可用"] if failed else []
    if notes.unsupported:
        causes.append(f"{notes.unsupported} 处因摘要缺少原文支撑")
    if causes:
        text += f"；{'、'.join(causes)}改用原文摘录"
    return text + "。"


def _percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a rounded percentage that never reads 100% or 0% when it is not."""
    return f"{min(max(round(part * 100 / whole), 1 if part else 0), 99 if part < whole else 100)}%"
