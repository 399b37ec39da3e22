"""Which terms may be shown as keywords (bolded in the reports, listed per cluster)."""

from __future__ import annotations

import pytest

from enrich.keywords import is_keyword


@pytest.mark.parametrize(
    "term", ["2026", "3.5", "90%", "一代", "多款", "九成", "一年", "两个", "数亿元", "首款", "每日", "的"]
)
def test_numbers_and_quantities_are_not_keywords(term: str) -> None:
    assert not is_keyword(term)


@pytest.mark.parametrize(
    "term", ["千问", "百度", "三星", "一加", "多模态", "半导体", "万达", "零一万物", "智能体", "Kimi", "GLM-4.7"]
)
def test_names_that_start_with_a_numeral_stay_keywords(term: str) -> None:
    assert is_keyword(term)
