"""The footer's line on how the text was written: true and exact for every mix of generated and extractive parts."""

from __future__ import annotations

import pytest

from enrich.commentary import DayNotes
from enrich.grounding import GroundingTally
from reports.common import EXTRACTIVE_NOTE, EXTRACTIVE_TEXT, llm_line, llm_note


def notes(model: str | None, kept: int, total: int, fallbacks: int = 0, unsupported: int = 0) -> DayNotes:
    tally = GroundingTally(kept=kept, total=total)
    return DayNotes("t", "o", [], [], {}, model=model, grounding=tally, fallbacks=fallbacks, unsupported=unsupported)


@pytest.mark.parametrize(
    ("day", "line"),
    [
        (notes(None, 0, 0), EXTRACTIVE_NOTE),
        (notes("m", 10, 10), "摘要与解读由 LLM（m）依据原文生成并逐句核对来源：全部 10 句均有原文支撑。"),
        (
            notes("m", 199, 200, fallbacks=3),
            "摘要与解读由 LLM（m）依据原文生成并逐句核对来源：有原文支撑的句子占 99%（199/200 句），其余 1 句已删除；"
            "3 处因回答无效或服务不可用改用原文摘录。",
        ),
        (
            notes("m", 1, 300, fallbacks=2, unsupported=2),
            "摘要与解读由 LLM（m）依据原文生成并逐句核对来源：有原文支撑的句子占 1%（1/300 句），其余 299 句已删除；"
            "2 处因摘要缺少原文支撑改用原文摘录。",
        ),
        (
            notes("m", 0, 0, fallbacks=22),
            f"未采用 LLM（m）的任何文字（22 处请求的回答无效或服务不可用）：{EXTRACTIVE_TEXT}",
        ),
        (
            notes("m", 0, 5, fallbacks=3, unsupported=2),
            "未采用 LLM（m）的任何文字（1 处请求的回答无效或服务不可用；生成的 5 句均无原文支撑，已删除）："
            + EXTRACTIVE_TEXT,
        ),
    ],
)
def test_the_footer_says_who_wrote_what(day: DayNotes, line: str) -> None:
    assert llm_note(day) == line


def test_the_html_header_says_when_no_generated_text_was_used() -> None:
    assert llm_line(notes("m", 0, 0, fallbacks=8)) == "LLM: m（未采用其文字，摘要与要点摘自原文）"
    assert llm_line(notes("m", 3, 4)) == "LLM: m"
    assert llm_line(notes(None, 0, 0)) == "LLM: off（摘要与要点摘自原文）"
