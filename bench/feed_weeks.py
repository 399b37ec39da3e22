"""Rebuild the items of the real feed weeks (``bench/data/feeds``) from a clone of the aggregator's repository.

    git clone https://github.com/irisfeng/ai36kr /tmp/ai36kr
    .venv/bin/python -m bench.feed_weeks /tmp/ai36kr --from 2026-08-17 --to 2026-08-23 > week.jsonl
    .venv/bin/python -m bench.feed_weeks /tmp/ai36kr --check          # the committed weeks' items match

The repository's ``data/snapshot.json`` was committed 97 times (2026-07-26 … 08-22); every version holds the posts and
快讯 the aggregator had then. An item is the union over versions keyed by URL: title and lead (≤ 160 characters)
from the first version that held it, the time from the last (the aggregator corrected some first-seen ingestion
times later). Kept sources: 36氪 (its /newsflashes/ URLs as ``36kr_newsflash``), Readhub, 36氪快讯, 钛媒体, 量子位,
InfoQ, 爱范儿, 宝玉, 阮一峰; dropped: English-language sources and titles with no Chinese character, 钛媒体快讯 (the
same URLs as 钛媒体 articles), and the second URL of one 36氪快讯 (``36kr.com/newsflashes/N?f=rss`` beside
``www.36kr.com/newsflashes/N``: the longer lead is kept, the www URL on a tie). Ids are the day and the position in
the day in (time, URL) order. Labels (``event``, ``gold``, ``is_ai``) are not made here: a reader adds them.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

SNAPSHOT = "data/snapshot.json"
FEEDS = Path(__file__).resolve().parent / "data" / "feeds"
LEAD_CHARS = 160
SHANGHAI = timezone(timedelta(hours=8))
SOURCES = {"36氪": "36kr", "钛媒体": "tmtpost", "量子位": "qbitai", "InfoQ": "infoq", "爱范儿": "ifanr",
           "宝玉": "baoyu", "阮一峰": "ruanyf", "Readhub": "readhub", "36氪快讯": "36kr_newsflash"}  # fmt: skip
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NEWSFLASH = re.compile(r"36kr\.com/newsflashes/(\d+)")


def snapshot_versions(repo: Path) -> list[dict[str, Any]]:
    """Every committed version of the snapshot, oldest first."""
    log = ["git", "-C", str(repo), "log", "--reverse", "--format=%H", "--", SNAPSHOT]
    commits = subprocess.run(log, capture_output=True, text=True, check=True).stdout.split()
    show = ["git", "-C", str(repo), "show"]
    return [
        json.loads(subprocess.run([*show, f"{c}:{SNAPSHOT}"], capture_output=True, text=True, check=True).stdout)
        for c in commits
    ]


def feed_items(versions: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The kept items of all versions (no labels), in (time, URL) order, each with its ``id``."""
    first: dict[str, tuple[str, Mapping[str, Any]]] = {}
    last_time: dict[str, str] = {}
    for version in versions:
        for kind in ("posts", "flashes"):
            for entry in version.get(kind, []):
                first.setdefault(entry["url"], (kind, entry))
                last_time[entry["url"]] = entry["created_at"]
    kept: list[dict[str, Any]] = []
    by_flash: dict[str, dict[str, Any]] = {}
    for url, (kind, entry) in first.items():
        item = _item(kind, entry, last_time[url])
        if item is None:
            continue
        flash = _NEWSFLASH.search(url)
        if flash is None:
            kept.append(item)
        elif (other := by_flash.get(flash.group(1))) is None or _better(item, other):
            by_flash[flash.group(1)] = item
    kept.extend(by_flash.values())
    kept.sort(key=lambda i: (i["published_at"], i["url"]))
    position: dict[str, int] = {}
    for item in kept:
        day = item["published_at"][:10]
        item["id"] = f"{day}-{position.setdefault(day, 0):03d}"
        position[day] += 1
    return [{"id": i["id"], **{k: v for k, v in i.items() if k != "id"}} for i in kept]


def _item(kind: str, entry: Mapping[str, Any], created_at: str) -> dict[str, Any] | None:
    source = SOURCES.get(entry["source"])
    if source is None:  # English-language sources and 钛媒体快讯
        return None
    if kind == "flashes":
        title, _, lead = str(entry["content"]).partition(" — ")
    else:
        title, lead = str(entry["title"]), str(entry.get("summary") or "")
    if not _CJK.search(title):
        return None
    if source == "36kr" and "/newsflashes/" in entry["url"]:
        source = "36kr_newsflash"
    when = datetime.fromisoformat(created_at.replace("Z", "+00:00")).astimezone(SHANGHAI)
    return {
        "published_at": when.strftime("%Y-%m-%dT%H:%M+08:00"),
        "source": source,
        "title": title.strip(),
        "lead": lead.strip()[:LEAD_CHARS],
        "url": entry["url"],
    }


def _better(item: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """The copy of a 36氪快讯 to keep: the longer lead, the www URL on a tie."""
    if len(item["lead"]) != len(other["lead"]):
        return len(item["lead"]) > len(other["lead"])
    return "www." in item["url"] and "www." not in other["url"]


def in_days(items: Iterable[Mapping[str, Any]], start: date, end: date) -> list[Mapping[str, Any]]:
    """The items published from ``start`` to ``end`` (both included, Shanghai days)."""
    return [i for i in items if start.isoformat() <= i["published_at"][:10] <= end.isoformat()]


def check(items: Sequence[Mapping[str, Any]], weeks: Sequence[str]) -> list[str]:
    """Committed items the rebuild does not give back as stored (title, time, source by URL), one line each."""
    by_url = {i["url"]: i for i in items}
    problems = []
    for week in weeks:
        for line in (FEEDS / f"{week}.jsonl").read_text(encoding="utf-8").splitlines():
            stored = json.loads(line)
            rebuilt = by_url.get(stored["url"])
            if rebuilt is None:
                problems.append(f"{week} {stored['id']}: {stored['title'][:30]!r} not rebuilt")
            elif differ := [f for f in ("title", "published_at", "source") if rebuilt[f] != stored[f]]:
                problems.append(f"{week} {stored['id']}: {stored['title'][:30]!r} differs in {', '.join(differ)}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Print a range of days as JSON lines, or check the committed weeks."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="a clone of github.com/irisfeng/ai36kr")
    parser.add_argument("--from", dest="start", type=date.fromisoformat)
    parser.add_argument("--to", dest="end", type=date.fromisoformat)
    parser.add_argument("--check", nargs="*", metavar="WEEK", help="weeks to compare (default: every labelled week)")
    args = parser.parse_args(argv)
    items = feed_items(snapshot_versions(args.repo))
    if args.check is not None:
        weeks = args.check or sorted(p.stem for p in FEEDS.glob("*.jsonl"))
        problems = check(items, weeks)
        for line in problems:
            print(line)
        print(f"{len(problems)} of the committed items differ from the rebuilt ones ({', '.join(weeks)})")
        return 1 if problems else 0
    if args.start is None or args.end is None:
        parser.error("--from and --to (or --check)")
    for item in in_days(items, args.start, args.end):
        print(json.dumps(item, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
