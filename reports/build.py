"""Building a report: a day's stories, their commentary, the leaderboard, one style, one output format."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from enrich.commentary import Commentator, DayNotes, StoryInput
from reports import digest, insight, tracker
from reports.blocks import Document
from reports.board import Board
from reports.html import render_html
from reports.markdown import render_markdown
from reports.model import Day
from reports.styles import Format, Style

DAY_STORIES = 20  # the day-level prompt sees the most important AI stories only


class EmptyDay(Exception):
    """No article was published on the report's day."""


def story_inputs(day: Day, *, deep: int) -> tuple[list[StoryInput], list[str]]:
    """Commentary inputs for every story (the top ``deep`` AI stories in depth) and the day's ranking."""
    ranked = day.ranked(ai_only=True)
    featured = {s.id for s in ranked[: digest.deep_count(deep)]}
    inputs = [s.to_input(deep=s.id in featured) for s in sorted(day.stories, key=lambda s: s.id)]
    return inputs, [s.id for s in ranked[:DAY_STORIES]]


def write_commentary(day: Day, commentator: Commentator, *, deep: int) -> DayNotes:
    """Commentary for ``day``; the same for every style, so one run serves all three from the cache."""
    inputs, ranking = story_inputs(day, deep=deep)
    return commentator.write(inputs, ranking)


def generated_time(day: Day, given: datetime | None) -> datetime:
    """The footer's time: given, or the latest fetch/enrichment of the day's articles — never the wall clock."""
    if given is not None:
        return given
    if day.stamped_at is not None:
        return day.stamped_at
    return max(s.lead.published_at for s in day.stories)


def build_document(
    style: Style, day: Day, notes: DayNotes, board: Board | None, generated_at: datetime, *, deep: int
) -> Document:
    if not day.stories:
        raise EmptyDay(f"no articles published on {day.date.isoformat()} (Asia/Shanghai); nothing to report")
    builders: dict[str, Callable[[], Document]] = {
        "tracker": lambda: tracker.build(day, notes, board, generated_at),
        "insight": lambda: insight.build(day, notes, board, generated_at),
        "digest": lambda: digest.build(day, notes, board, generated_at, deep=deep),
    }
    return builders[style]()


def render(document: Document, fmt: Format) -> str:
    return render_html(document) if fmt == "html" else render_markdown(document)
