"""Synthetic-but-realistic article corpora for the enrichment benchmarks, from real Chinese AI-news sentences.

Sentences come from the bodies of the saved fixture pages (``tests/fixtures/pages/**/*.expected.json``)
and from the real daily reports in ``../shared/labels/hubtoday-daily/*.md``. Articles recombine
them; some are reposts of earlier articles (a credit line added, the last paragraph trimmed,
punctuation changed) and some are exact copies under another URL, so the duplicate steps have work.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.dates import SHANGHAI

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_PAGES = ROOT / "tests" / "fixtures" / "pages"
ARCHIVE = Path(__file__).resolve().parents[2] / "shared" / "labels" / "hubtoday-daily"
SOURCES = ("36kr", "ithome", "jiqizhixin", "qbitai", "oschina", "aibase", "aiera")
CREDITS = {"jiqizhixin": "机器之心", "qbitai": "量子位", "aiera": "新智元"}
# A realistic daily volume for seven sources plus user feeds; the corpus grows in days, not in density.
PER_DAY = 1500

_MARKUP = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|<[^>]+>|[*`#>\[\]|]|https?://\S+|(?m:^\s*\d{1,2}\.\s+)")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]")


def sentences() -> list[str]:
    """Distinct real sentences (10 to 160 characters), in a fixed order."""
    found: dict[str, None] = {}
    for path in sorted(FIXTURE_PAGES.rglob("*.expected.json")):
        body = json.loads(path.read_text(encoding="utf-8")).get("article", {}).get("body", "")
        found.update(dict.fromkeys(_split(body)))
    for path in sorted(ARCHIVE.glob("*.md")):
        found.update(dict.fromkeys(_split(_MARKUP.sub("", path.read_text(encoding="utf-8")))))
    return list(found)


def _split(text: str) -> Iterator[str]:
    for match in _SENTENCE.finditer(text):
        sentence = match.group().strip(" -\u3000")
        if 10 <= len(sentence) <= 160:
            yield sentence


def synthetic_articles(
    count: int, *, seed: int = 7, repost_share: float = 0.08, copy_share: float = 0.02
) -> list[dict[str, Any]]:
    """``count`` article documents over ``count / PER_DAY`` days, with injected reposts and exact copies."""
    rng = random.Random(seed)
    pool = sentences()
    start = datetime(2026, 1, 1, tzinfo=SHANGHAI)
    span = timedelta(days=max(1, count / PER_DAY))
    docs: list[dict[str, Any]] = []
    for n in range(count):
        when = start + span * (n / count)
        roll = rng.random()
        if docs and roll < repost_share:
            docs.append(_repost(rng, rng.choice(docs[-PER_DAY:]), n, when))
        elif docs and roll < repost_share + copy_share:
            original = rng.choice(docs[-PER_DAY:])
            docs.append(original | {"_id": f"s{n:07d}", "url": f"https://copy.example/{n}", "published_at": when})
        else:
            docs.append(_fresh(rng, pool, n, when))
    return docs


def _fresh(rng: random.Random, pool: list[str], n: int, when: datetime) -> dict[str, Any]:
    paragraphs: list[str] = []
    size = 0
    while size < 540:
        paragraph = "".join(rng.choice(pool) for _ in range(rng.randint(1, 3)))
        paragraphs.append(paragraph)
        size += len(paragraph)
    source = rng.choice(SOURCES)
    return {
        "_id": f"s{n:07d}",
        "url": f"https://{source}.example/{n}",
        "source": source,
        "kind": "article",
        "title": rng.choice(pool)[:40].rstrip("。！？!?"),
        "body": "\n".join(paragraphs),
        "published_at": when,
    }


def _repost(rng: random.Random, original: dict[str, Any], n: int, when: datetime) -> dict[str, Any]:
    paragraphs = original["body"].split("\n")
    if len(paragraphs) > 2 and rng.random() < 0.5:
        paragraphs = paragraphs[:-1]
    body = "\n".join(paragraphs).replace("，", ",").replace("：", ":")
    credit = CREDITS.get(original["source"])
    if credit:
        body = f"本文来自微信公众号：{credit}，经授权发布。\n{body}"
    source = rng.choice([s for s in SOURCES if s != original["source"]])
    return original | {
        "_id": f"s{n:07d}",
        "url": f"https://{source}.example/{n}",
        "source": source,
        "body": body,
        "published_at": when,
    }
