"""An enrichment corpus from real text with an event structure: several sources covering one event, reposts.

What is real and what is derived (``event_corpus``):
- Events: every item of the real daily reports ``../shared/labels/hubtoday-daily`` (3,576 items over 197
  days; each one real happening written up in ~160 characters), in date order. A corpus needs more
  events than the archive holds (100k articles are ~35k events), so the items are used again in turn:
  the pool is walked round and round, and no item comes back within ``MIN_REUSE_DAYS`` days, so no
  enrichment window (7 days back) ever sees one event seeded twice.
- Day sizes: the archive's own items per day (7 to 30, mean 18) scaled to ``PER_DAY`` articles on average,
  days in the archive's order: real variation (weekends, busy launch days), not a constant.
- Coverage: each event is covered by k articles, P(k) ∝ k^-2 for k ≤ 60 (mean 2.6; 61% of events have one
  article, 1 in 30 has 10 or more) — an assumption (heavy-tailed, as press coverage is), from sources in turn,
  the first on the event's day and the others 0-72 hours later (exponential, mean 8 h).
- Texts: the first article carries the item as written, under the item's title. Every other covering
  article is a rewrite of it: each sentence kept with p=0.75 (at least one), a clause dropped from a kept
  sentence with p=0.3, neighbouring sentences swapped with p=0.3, a retitle (another clause of the item, or
  a real headline opener such as "刚刚，" / "重磅！"), and the source's own dateline.
- Length: 30% are 快讯 (the item and a dateline). The others are filled to a length drawn from the bodies of
  real pages (the 49 hand-annotated Chinese pages of ``../shared/fixtures/extraction``, the real captured
  article pages of ``../shared/fixtures/pages``), times 0.8-1.25, at most 8,000 characters, with background
  sentences of other real items that name the same company or model (else of the same report section).
- Reposts: 8% of articles repost one of the last day's (a WeChat credit line, the last paragraph cut half the
  time, punctuation made half-width, a new title prefix), 2% are exact copies under another URL.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.dates import SHANGHAI
from enrich.labels import LabelledItem, parse_archive

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ARCHIVE = SHARED / "labels" / "hubtoday-daily"
EXTRACTION = SHARED / "fixtures" / "extraction" / "magic-html-zh"
REAL_PAGES = SHARED / "fixtures" / "pages"
SOURCES = ("36kr", "ithome", "jiqizhixin", "qbitai", "oschina", "aibase", "aiera")
CREDITS = {"jiqizhixin": "机器之心", "qbitai": "量子位", "aiera": "新智元"}
# Datelines and headline openers as the sources print them (see the saved pages of each site).
DATELINES = {
    "36kr": "36氪获悉，",
    "ithome": "IT之家 {m} 月 {d} 日消息，",
    "jiqizhixin": "机器之心报道\n",
    "qbitai": "量子位 | 公众号 QbitAI\n",
    "oschina": "",
    "aibase": "",
    "aiera": "新智元报道\n",
}
OPENERS = ("刚刚，", "重磅！", "突发：", "官宣！", "最新：", "定了！")
PER_DAY = 1000  # articles per day on average: seven sources plus user feeds
MIN_REUSE_DAYS = 8  # > the enrichment window (7 days back): an item never meets itself
MAX_COVERAGE = 60
NEWSFLASH_SHARE = 0.3
REPOST_SHARE = 0.08
COPY_SHARE = 0.02

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9\-\.]{2,}")
_GENERIC = {"AI", "API", "Link", "GitHub", "LLM", "Agent", "The", "and", "for", "with", "the"}


@dataclass(frozen=True)
class Seed:
    """One real item as an event seed: its sentences, title, section and the names it mentions."""

    title: str
    sentences: tuple[str, ...]
    heading: str
    names: tuple[str, ...]


def seeds(items: list[LabelledItem]) -> list[Seed]:
    """The archive items as event seeds, in the archive's order."""
    found = []
    for item in items:
        parts = tuple(s.strip() for s in _SENTENCE.findall(item.body) if len(s.strip()) >= 6)
        if not parts:
            continue
        names = tuple(dict.fromkeys(n for n in _LATIN.findall(item.body) if n not in _GENERIC))
        found.append(Seed(item.title, parts, item.heading, names))
    return found


def real_lengths() -> list[int]:
    """Body lengths of real pages: the annotated extraction set and the real captured articles."""
    lengths = [len(p.read_text(encoding="utf-8")) for p in sorted(EXTRACTION.glob("*.gold.txt"))]
    lengths += [len(body) for body in _real_page_bodies()]
    if not lengths:
        raise FileNotFoundError(f"no real page texts under {SHARED}")
    return lengths


def _real_page_bodies() -> list[str]:
    from crawler.pages import aibase, ithome, kr36, qbitai, wechat  # the site parsers read the real pages

    pages = [
        (ithome.parse_article, "www.ithome.com/0/992/380.htm"),
        (kr36.parse_article, "36kr.com/p/3919391204415360"),
        (qbitai.parse_article, "www.qbitai.com/2026/07/464169.html"),
        (aibase.parse_article, "news.aibase.com/zh/news/30535"),
        (wechat.parse_article, "mp.weixin.qq.com/s/ZhDXTjv5ciEGOZirqQ6BJA"),
    ]
    bodies = []
    for parse, name in pages:
        path = REAL_PAGES / name
        if path.is_file():
            bodies.append(parse(path.read_text(encoding="utf-8"), "https://" + name).body or "")
    return bodies


def day_sizes(items: list[LabelledItem], days: int, per_day: int) -> list[int]:
    """Articles per day: the archive's items per day, in order (round again if needed), scaled to ``per_day``."""
    counts = list(Counter(item.date for item in items).values())
    mean = sum(counts) / len(counts)
    return [max(1, round(per_day * counts[i % len(counts)] / mean)) for i in range(days)]


def coverage(rng: random.Random) -> int:
    """How many articles cover one event: P(k) ∝ k^-2, 1 ≤ k ≤ ``MAX_COVERAGE``."""
    return rng.choices(_KS, weights=_WEIGHTS)[0]


_KS = list(range(1, MAX_COVERAGE + 1))
_WEIGHTS = [k**-2.0 for k in _KS]
_MEAN_COVERAGE = sum(k * w for k, w in zip(_KS, _WEIGHTS, strict=True)) / sum(_WEIGHTS)


class _Writer:
    """Writes the covering articles of events from seeds, with background sentences on the same names."""

    def __init__(self, rng: random.Random, pool: list[Seed], lengths: list[int]) -> None:
        self.rng = rng
        self.lengths = lengths
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.by_heading: dict[str, list[str]] = defaultdict(list)
        for seed in pool:
            for name in seed.names:
                self.by_name[name].extend(seed.sentences)
            self.by_heading[seed.heading].extend(seed.sentences)

    def article(self, seed: Seed, n: int, first: bool, source: str, when: datetime) -> dict[str, Any]:
        rng = self.rng
        core = list(seed.sentences) if first else self._rewrite(seed.sentences)
        dateline = DATELINES[source].format(m=when.month, d=when.day)
        flash = rng.random() < NEWSFLASH_SHARE
        # A 快讯 is the fact and a line of context; an article runs to a real page's length.
        target = 200 if flash else min(8000, int(rng.choice(self.lengths) * rng.uniform(0.8, 1.25)))
        paragraphs = [dateline + "".join(core)]
        background = self._background(seed)
        size = len(paragraphs[0])
        while size < target and background:
            paragraph = "".join(background.pop() for _ in range(min(len(background), rng.randint(1, 4))))
            paragraphs.append(paragraph)
            size += len(paragraph)
        return {
            "_id": f"s{n:07d}",
            "url": f"https://{source}.example/{n}",
            "source": source,
            "kind": "newsflash" if flash else "article",
            "title": seed.title if first else self._retitle(seed),
            "body": "\n".join(paragraphs),
            "published_at": when,
        }

    def _rewrite(self, sentences: tuple[str, ...]) -> list[str]:
        """Another outlet's take: one or two of the item's sentences, each with about half of its clauses."""
        rng = self.rng
        kept = rng.sample(sentences, min(len(sentences), rng.randint(1, 2)))
        out = []
        for sentence in kept:
            clauses = sentence.split("，")
            if len(clauses) > 1:  # never the item's whole sentence: outlets word it their own way
                dropped = rng.randrange(1, len(clauses))
                clauses = [c for i, c in enumerate(clauses) if i == 0 or (i != dropped and rng.random() < 0.5)]
            out.append("，".join(clauses))
        return out

    def _retitle(self, seed: Seed) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            clauses = [c for s in seed.sentences for c in re.split(r"[，：；]", s) if 8 <= len(c) <= 40]
            if clauses:
                return rng.choice(clauses).rstrip("。！？!?")
        return rng.choice(OPENERS) + seed.title

    def _background(self, seed: Seed) -> list[str]:
        """Context sentences, taken from the end: a few on the same names first, then the same section."""
        rng, own = self.rng, set(seed.sentences)
        named = [s for name in seed.names for s in self.by_name.get(name, ()) if s not in own]
        section = self.by_heading[seed.heading]
        return rng.sample(section, min(len(section), 60)) + rng.sample(named, min(len(named), 3))


def event_corpus(count: int, *, seed: int = 7, per_day: int = PER_DAY) -> list[dict[str, Any]]:
    """``count`` article documents, oldest first, with the event structure described in the module docstring."""
    rng = random.Random(seed)
    items = parse_archive(ARCHIVE).items
    if not items:
        raise FileNotFoundError(f"no daily reports under {ARCHIVE}")
    pool = seeds(items)
    writer = _Writer(rng, pool, real_lengths())
    sizes = day_sizes(items, math.ceil(count / per_day * 1.5) + MIN_REUSE_DAYS, per_day)
    start = datetime(2026, 1, 1, tzinfo=SHANGHAI)
    docs: list[dict[str, Any]] = []
    pointer = 0
    last_used: dict[int, int] = {}
    for day, size in enumerate(sizes):
        if len(docs) >= count:
            break
        day_start = start + timedelta(days=day)
        today = len(docs)
        events = max(1, round(size / (_MEAN_COVERAGE * (1 + REPOST_SHARE + COPY_SHARE))))
        for _ in range(events):
            index = _next_seed(pointer, len(pool), last_used, day)
            last_used[index] = day
            pointer = index + 1
            first_at = day_start + timedelta(hours=rng.uniform(7, 23))
            sources = rng.sample(SOURCES, len(SOURCES))
            for j in range(coverage(rng)):
                delay = 0.0 if j == 0 else min(72.0, rng.expovariate(1 / 8))
                when = first_at + timedelta(hours=delay)
                article = writer.article(pool[index], len(docs), j == 0, sources[j % len(sources)], when)
                docs.append(article | {"seed": index})
        _add_reposts(rng, docs, today)
    docs.sort(key=lambda d: (d["published_at"], d["_id"]))
    return docs[:count]


def _next_seed(pointer: int, size: int, last_used: dict[int, int], day: int) -> int:
    """The next seed in the round that was not used in the last ``MIN_REUSE_DAYS`` days."""
    for step in range(size):
        index = (pointer + step) % size
        if day - last_used.get(index, -MIN_REUSE_DAYS) >= MIN_REUSE_DAYS:
            return index
    raise ValueError(f"the archive holds too few events for this many articles a day (day {day})")


def _add_reposts(rng: random.Random, docs: list[dict[str, Any]], today: int) -> None:
    """Reposts and exact copies of the articles written today (``docs[today:]``), dated after their original."""
    recent = docs[today:]
    shares = int(len(recent) * REPOST_SHARE), int(len(recent) * COPY_SHARE)
    for kind, number in zip(("repost", "copy"), shares, strict=True):
        for original in rng.sample(recent, min(number, len(recent))):
            n = len(docs)
            when = original["published_at"] + timedelta(hours=rng.uniform(1, 30))
            if kind == "copy":
                docs.append(original | {"_id": f"s{n:07d}", "url": f"https://copy.example/{n}", "published_at": when})
            else:
                docs.append(_repost(rng, original, n, when))


def _repost(rng: random.Random, original: dict[str, Any], n: int, when: datetime) -> dict[str, Any]:
    paragraphs = original["body"].split("\n")
    if len(paragraphs) > 2 and rng.random() < 0.5:
        paragraphs = paragraphs[:-1]
    body = "\n".join(paragraphs).replace("，", ",").replace("：", ":")
    credit = CREDITS.get(original["source"])
    if credit:
        body = f"本文来自微信公众号：{credit}，经授权发布。\n{body}"
    source = rng.choice([s for s in SOURCES if s != original["source"]])
    title = (rng.choice(("转载｜", "重磅｜", "")) + original["title"]) if rng.random() < 0.5 else original["title"]
    return original | {
        "_id": f"s{n:07d}",
        "url": f"https://{source}.example/{n}",
        "source": source,
        "title": title,
        "body": body,
        "published_at": when,
    }


def describe(docs: list[dict[str, Any]]) -> dict[str, float]:
    """Shape figures of a corpus: days, articles per day (min/max), characters per article."""
    per_day = Counter(d["published_at"].astimezone(SHANGHAI).date() for d in docs)
    days: list[date] = sorted(per_day)
    return {
        "articles": len(docs),
        "days": len(days),
        "min_per_day": min(per_day.values()),
        "max_per_day": max(per_day.values()),
        "chars_per_doc": sum(len(d["title"]) + len(d["body"]) for d in docs) / len(docs),
        "newsflash_share": sum(d["kind"] == "newsflash" for d in docs) / len(docs),
    }
