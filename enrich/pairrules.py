"""What a title says that makes two reports different happenings: another market session, date or figure.

Three lessons of the dev weeks' wrong joins, written as rules over the titles (``enrich.pairgate`` reads them once
per article and records a conflict on each candidate pair):
- market reports are one event per market and per report point of one session (GUIDELINE.md): 恒指开盘 on two
  mornings, 美股盘前 on two evenings, an opening and a close, share nearly every character;
- titles that name different calendar dates (8月17日 vs 8月18日) report different days;
- two titles of one series (the same "｜ Summit 2026" ending) are two talks or articles of it;
- titles that both state figures and share none (a launch at 9999元 vs its 40万 pre-orders; 跌超2% vs 跌超3%) report
  different happenings about the same thing — a hard rule when hours apart (``FIGURE_HOURS``), else a feature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from enrich.entities import frozen

# Market names (checked in this order: 港股's 恒指 before the generic 指数) and report points.
_MARKETS = (
    ("hk", re.compile(r"恒指|恒生|港股")),
    ("us", re.compile(r"美股|纳指|纳斯达克|道指|标普")),
    ("cn", re.compile(r"A股|A 股|沪指|深成指|深证成指|创业板|科创50|科创 50|三大指数|三大股指|沪深")),
    ("jp", re.compile(r"日经|日股|东证")),
    ("kr", re.compile(r"韩股|韩国综合|KOSPI")),
    ("gold", re.compile(r"金价|黄金|白银")),
    ("oil", re.compile(r"原油|油价")),
)
_POINTS = (
    ("premarket", re.compile(r"盘前")),
    ("afterhours", re.compile(r"盘后")),
    ("open", re.compile(r"开盘|高开|低开|早评")),
    ("midday", re.compile(r"午间|午盘|午评|半日|午后收")),
    ("close", re.compile(r"收盘|收涨|收跌|收评|收报|收平|周线")),
)
# A move without a report point: "涨幅扩大至3%", "翻绿", "跌超4%".
_MOVE = re.compile(r"涨幅扩大|跌幅扩大|涨超|跌超|涨逾|跌逾|翻绿|翻红|拉升|跳水|转涨|转跌|[涨跌]\s*\d")
_DATE = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
# A number with its scale and unit as a title states it: 9999元, 40万, 1.61%, 4.25吉瓦. Not a version (GPT-5.6, V4,
# K3: a number glued to latin letters) and not a date (8月17日).
_FIGURE = re.compile(
    r"(?<![A-Za-z0-9.\-])(\d+(?:\.\d+)?)\s*(万亿|千亿|百亿|亿|千万|百万|万|千)?(?![\d.万亿千百A-Za-z])"
)
# Index names that carry a number (科创50, 标普500): blanked before figures are read.
_INDEX_NUMBER = re.compile(r"(科创|上证|沪深|中证|标普|纳斯达克|纳指|日经|富时|恒生综合)\s*\d+")
_YEAR = re.compile(r"(?<!\d)(19[9]\d|20\d\d)\s*(年|$|[^\d万亿千元%])")
_SCALE = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3, "": 1.0}
# A column or series name at a title's end ("… ｜ Summit 2026", "…｜AICon深圳"): two talks of one series.
_SERIES = re.compile(r"[｜|丨]\s*([^｜|丨]{2,30}?)\s*$")
SESSION_HOURS = 12.0  # two reports of one market and point further apart than this are two sessions
# Two titles stating different figures this many hours apart: a later figure about the thing (the pre-orders of a
# launched phone), not the same report. Within these hours they may be figures of one release (results): the
# pair model weighs those.
FIGURE_HOURS = 6.0


@dataclass(frozen=True)
class Session:
    """A market report's market and report point (``move`` when the title names a move, no point)."""

    market: str
    point: str


def market_session(title: str) -> Session | None:
    """The market and report point of a market-report title, None for any other title."""
    market = next((name for name, pattern in _MARKETS if pattern.search(title)), None)
    if market is None:
        return None
    point = next((name for name, pattern in _POINTS if pattern.search(title)), None)
    if point is None:
        if not _MOVE.search(title):
            return None  # a market named in passing ("A股并购重组"), not a report of a move
        point = "move"
    return Session(market, point)


def session_conflict(a: Session | None, b: Session | None, hours: float) -> bool:
    """Two market reports that cannot be one event: another market, another report point, or another session."""
    if a is None or b is None:
        return False
    return a.market != b.market or a.point != b.point or hours > SESSION_HOURS


def title_dates(title: str) -> frozenset[tuple[int, int]]:
    """The calendar dates (month, day) a title names."""
    return frozen((int(m), int(d)) for m, d in _DATE.findall(title))


def title_figures(title: str) -> frozenset[float]:
    """The figures a title states, scaled (40万 -> 400000.0), dates and versions left out."""
    text = _YEAR.sub(r" \2", _INDEX_NUMBER.sub(r"\1", _DATE.sub(" ", title)))
    return frozen(round(float(number) * _SCALE[scale], 6) for number, scale in _FIGURE.findall(text))


def figure_conflict(a: frozenset[float], b: frozenset[float], *, tolerance: float = 0.03) -> bool:
    """Both titles state figures and none of one is (within ``tolerance``) among the other's."""
    if not a or not b:
        return False
    return not any(abs(x - y) <= tolerance * max(abs(x), abs(y), 1e-9) for x in a for y in b)


def date_conflict(a: frozenset[tuple[int, int]], b: frozenset[tuple[int, int]]) -> bool:
    """Both titles name dates and share none."""
    return bool(a) and bool(b) and not a & b


def series_tag(title: str) -> str:
    """The column or series name a title ends with (shorter than the title before it), "" when none."""
    found = _SERIES.search(title)
    if found is None or len(title[: found.start()].strip()) <= len(found.group(1).strip()):
        return ""  # "8点1氪丨…" names a digest, then its content
    return found.group(1).strip()


def later_figure(a: frozenset[float], b: frozenset[float], hours: float) -> bool:
    """Different figures stated more than ``FIGURE_HOURS`` apart: a later development, not the same report."""
    return hours > FIGURE_HOURS and figure_conflict(a, b)
