from datetime import datetime

import pytest

from crawler.dates import SHANGHAI, check_published, parse_published

NOW = datetime(2026, 1, 20, 15, 0, 30, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-20 13:32", "2026-01-20T13:32:00+08:00"),
        ("2026年1月20日", "2026-01-20T00:00:00+08:00"),
        ("2026年1月20日 09:05", "2026-01-20T09:05:00+08:00"),
        ("2026/1/20 13:32:05", "2026-01-20T13:32:05+08:00"),
        ("1小时前", "2026-01-20T14:00:00+08:00"),
        ("3小时前", "2026-01-20T12:00:00+08:00"),
        ("15分钟前", "2026-01-20T14:45:00+08:00"),
        ("昨天 18:05", "2026-01-19T18:05:00+08:00"),
        ("前天 08:00", "2026-01-18T08:00:00+08:00"),
        ("刚刚", "2026-01-20T15:00:00+08:00"),
        ("12月30日 10:00", "2025-12-30T10:00:00+08:00"),  # no year, would be in the future: last year
        ("01-19 10:00", "2026-01-19T10:00:00+08:00"),
        ("1768890720", "2026-01-20T14:32:00+08:00"),
        ("1768890720000", "2026-01-20T14:32:00+08:00"),
        ("Tue, 20 Jan 2026 05:32:00 +0000", "2026-01-20T13:32:00+08:00"),
        ("2026-01-20T05:32:00Z", "2026-01-20T13:32:00+08:00"),
        ("发布时间：2026-01-20 13:32", "2026-01-20T13:32:00+08:00"),
    ],
)
def test_parse_published(raw: str, expected: str) -> None:
    value = parse_published(raw, now=NOW)
    assert value is not None
    assert value.isoformat() == expected


@pytest.mark.parametrize(
    "raw", [None, "", "   ", "not a date", "2026年13月45日", "今天 25:00", "昨天 18:75", "99999999999999"]
)
def test_unreadable_dates_are_none(raw: str | None) -> None:
    assert parse_published(raw, now=NOW) is None


def test_naive_datetime_is_beijing_time() -> None:
    assert parse_published(datetime(2026, 1, 20, 9, 0), now=NOW).isoformat() == "2026-01-20T09:00:00+08:00"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("2099-01-01 00:00", "future"),
        ("2026-01-21 15:01", "future"),  # more than a day after the page was served
        ("今天 25:00", "unreadable"),
        ("2026年13月45日", "unreadable"),
        (None, None),
        ("", None),
    ],
)
def test_check_published_refuses_impossible_times(raw: str | None, problem: str | None) -> None:
    assert check_published(raw, now=NOW) == (None, problem)


def test_check_published_keeps_a_possible_time() -> None:
    value, problem = check_published("2026-01-21 14:00", now=NOW)  # within the day of slack
    assert problem is None and value is not None and value.isoformat() == "2026-01-21T14:00:00+08:00"
