"""Publish-date parsing: absolute, Chinese and relative dates, resolved in Asia/Shanghai."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import dateparser

SHANGHAI = ZoneInfo("Asia/Shanghai")

_EPOCH = re.compile(r"^\d{10}(\d{3})?$")
_JUST_NOW = re.compile(r"^(刚刚|刚才|just now)$", re.I)
_RELATIVE = re.compile(r"^(\d+)\s*(秒|分钟|小时|天|周|个月)前$")
_DAY_WORD = re.compile(r"^(今天|昨天|前天)\s*(\d{1,2}):(\d{2})$")
_CN_DATE = re.compile(
    r"^(?:(\d{4})\s*[年/\-.]\s*)?(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*日?"
    r"(?:\s*(?:[T\s]|日)?\s*(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})秒?)?)?$"
)
# A page cannot have been published after it was served; a little slack covers clock skew and
# sites that print a time zone wrong. Later than this, the date is refused.
MAX_AHEAD = timedelta(days=1)
_UNITS = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days", "周": "weeks"}
_DAY_OFFSET = {"今天": 0, "昨天": 1, "前天": 2}


def parse_published(raw: str | int | float | datetime | None, *, now: datetime) -> datetime | None:
    """Resolve a page's date text to an aware datetime in Asia/Shanghai, or None.

    ``now`` is the crawl time that relative dates (``3小时前``, ``昨天 18:05``, ``刚刚``) count
    from. A date without a year takes the crawl year, or the one before when that would put
    it in the future. Naive absolute times are Beijing time, as the sources print them.
    """
    now = now.astimezone(SHANGHAI)
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return (raw if raw.tzinfo else raw.replace(tzinfo=SHANGHAI)).astimezone(SHANGHAI)
    if isinstance(raw, (int, float)):
        return _from_epoch(float(raw))
    text = re.sub(r"\s+", " ", raw.replace("\u3000", " ")).strip()
    if not text:
        return None
    text = re.sub(r"^(发布时间|发布于|时间|日期)[:：]?\s*", "", text)
    if _EPOCH.match(text):
        return _from_epoch(float(text) / (1000 if len(text) == 13 else 1))
    if _JUST_NOW.match(text):
        return now.replace(second=0, microsecond=0)
    if m := _RELATIVE.match(text):
        amount, unit = int(m.group(1)), m.group(2)
        delta = timedelta(days=30 * amount) if unit == "个月" else timedelta(**{_UNITS[unit]: amount})
        return (now - delta).replace(second=0, microsecond=0)
    if m := _DAY_WORD.match(text):
        day = now - timedelta(days=_DAY_OFFSET[m.group(1)])
        try:
            return day.replace(hour=int(m.group(2)), minute=int(m.group(3)), second=0, microsecond=0)
        except ValueError:
            return None  # 今天 25:00: no such time
    if m := _CN_DATE.match(text):
        return _from_parts(m, now)
    try:
        iso = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    else:
        return parse_published(iso, now=now)
    parsed = dateparser.parse(
        text,
        languages=["zh", "en"],
        settings={
            "TIMEZONE": "Asia/Shanghai",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "RELATIVE_BASE": now.replace(tzinfo=None),
            "PREFER_DATES_FROM": "past",
        },
    )
    return parsed.astimezone(SHANGHAI) if parsed else None


def check_published(raw: str | int | float | datetime | None, *, now: datetime) -> tuple[datetime | None, str | None]:
    """``parse_published``, judged: ``(time, None)``, ``(None, "unreadable")`` for date text that names
    no possible time (``今天 25:00``), ``(None, "future")`` for a time more than ``MAX_AHEAD`` after ``now``,
    ``(None, None)`` when there was no date at all.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    value = parse_published(raw, now=now)
    if value is None:
        return None, "unreadable"
    if value > now + MAX_AHEAD:
        return None, "future"
    return value, None


def _from_epoch(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).astimezone(SHANGHAI)
    except (OverflowError, OSError, ValueError):
        return None  # an epoch no calendar holds


def _from_parts(m: re.Match[str], now: datetime) -> datetime | None:
    year, month, day, hour, minute, second = m.groups()
    try:
        value = datetime(
            int(year) if year else now.year,
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=SHANGHAI,
        )
    except ValueError:
        return None
    if not year and value > now + timedelta(days=1):
        value = value.replace(year=value.year - 1)
    return value
