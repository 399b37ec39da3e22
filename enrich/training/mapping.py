"""The weak-label mapping: generator heading + keyword rules -> aidaily category (documented in docs/CATEGORIES.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from enrich.categories import BUSINESS, INDUSTRY, TECH


@dataclass(frozen=True)
class Keywords:
    """Keyword lists per category, read from enrich/data/category_keywords.json."""

    business: tuple[str, ...]
    tech: tuple[str, ...]
    industry: tuple[str, ...]

    def hits(self, text: str) -> tuple[int, int, int]:
        """Distinct keyword hits (business, tech, industry) in a text."""
        return (
            sum(word in text for word in self.business),
            sum(word in text for word in self.tech),
            sum(word in text for word in self.industry),
        )


def load_keywords() -> Keywords:
    """The shipped keyword lists."""
    raw = json.loads(resources.files("enrich.data").joinpath("category_keywords.json").read_text(encoding="utf-8"))
    return Keywords(business=tuple(raw["business"]), tech=tuple(raw["tech"]), industry=tuple(raw["industry"]))


def map_heading(heading: str, text: str, keywords: Keywords) -> str:
    """Weak label for one archive item from its heading, refined by keyword rules where the heading is mixed."""
    business, tech, industry = keywords.hits(text)
    if heading in ("前沿研究", "开源TOP项目"):
        # Research and open-source sections are technology by definition; the hand check found few exceptions.
        return TECH
    if (business >= 2 and business >= tech) or (business >= 1 and business > tech):
        return BUSINESS
    if heading == "行业展望与社会影响":
        return INDUSTRY
    # 产品与功能更新 and 社媒分享 mix model/tool releases with consumer features and opinions.
    return TECH if tech >= industry and tech > 0 else INDUSTRY


def keyword_baseline(text: str, keywords: Keywords) -> str:
    """The keyword-rules baseline: the same lists, no heading (what a model must beat)."""
    business, tech, industry = keywords.hits(text)
    if (business >= 2 and business >= tech) or (business >= 1 and business > tech):
        return BUSINESS
    return TECH if tech >= industry and tech > 0 else INDUSTRY
