"""Search latency on a synthetic archive of 100k articles in a fresh embedded SecantusDB.

    .venv/bin/python bench/search_speed.py                  # 100k articles, fresh temp database
    .venv/bin/python bench/search_speed.py --docs 20000     # smaller
    .venv/bin/python bench/search_speed.py --keep /tmp/sdb  # build once into /tmp/sdb, reuse on the next run

Articles are made by recombining sentences from the saved-page fixtures
(``tests/fixtures/pages/**/*.expected.json``) and the hubtoday daily items
(``../shared/labels/hubtoday-daily/*.md``). Tokens come from the real tokenizer
(``enrich.tokens.TokenizerKit``) with one shortcut, for this data set only: each distinct sentence
is cut once and an article's ``tokens`` are the union of its sentences' and its title's tokens.
That equals cutting the whole body because every sentence ends in 。！？ or a line break, where
jieba never joins characters across.

Prints, per query shape, the median and p95 latency of ``reports.search.search`` (the library call
``aidaily search`` makes, without process start-up) and the plan of its database query.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.dates import SHANGHAI
from crawler.sources import BUILTIN_SOURCES
from crawler.store import Store
from enrich.categorize import CATEGORIES
from enrich.termdf import rebuild_term_df, term_table
from enrich.tokens import TokenizerKit
from reports.search import SearchQuery, parse_query, search, search_plan

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "pages"
HUBTODAY = Path(__file__).resolve().parents[2] / "shared" / "labels" / "hubtoday-daily"
FIRST_DAY = date(2025, 6, 1)
DAYS = 234  # to 2026-01-20
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_MARKDOWN = re.compile(r"\*\*|!?\[[^\]]*\]\([^)]*\)|<[^>]+>")

# (label, query text, days back from the last day for --since or None, sources)
QUERIES: list[tuple[str, str, int | None, tuple[str, ...]]] = [
    ("company", "OpenAI", None, ()),
    ("company", "英伟达", None, ()),
    ("company", "字节跳动", None, ()),
    ("model", "DeepSeek", None, ()),
    ("model", "Claude", None, ()),
    ("model", "Gemini", None, ()),
    ("model", "Qwen", None, ()),
    ("two terms", "DeepSeek 开源", None, ()),
    ("two terms", "英伟达 芯片", None, ()),
    ("two terms", "OpenAI 模型", None, ()),
    ("two terms", "谷歌 Gemini", None, ()),
    ("+ 30 days", "OpenAI", 30, ()),
    ("+ 30 days", "大模型 推理", 30, ()),
    ("+ 7 days", "模型", 7, ()),
    ("+ 7 days", "阿里 Qwen", 7, ()),
    ("+ source", "DeepSeek", 60, ("36kr", "ithome")),
    ("phrase", '"开源模型"', None, ()),
]


def sentences() -> list[str]:
    """Distinct sentences of the fixture bodies and the hubtoday items."""
    found: list[str] = []
    for path in sorted(FIXTURES.glob("**/*.expected.json")):
        article = json.loads(path.read_text(encoding="utf-8")).get("article") or {}
        for line in str(article.get("body") or "").splitlines():
            found += _SENTENCE_END.split(line)
    for path in sorted(HUBTODAY.glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = re.match(r"\s*\d+\.\s+(.*)", line)
            if item:
                found += _SENTENCE_END.split(_MARKDOWN.sub("", item.group(1)))
    return list(dict.fromkeys(s.strip() for s in found if len(s.strip()) >= 10))


def make_articles(count: int, pool: list[str], kit: TokenizerKit, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` article documents with enrichment fields; about one in ten is a duplicate of an earlier one."""
    rng = random.Random(seed)
    cut = [kit.tokenize(s) for s in pool]
    sources = list(BUILTIN_SOURCES.values())
    docs: list[dict[str, Any]] = []
    for n in range(count):
        _id = f"{n:016x}"
        source = rng.choice(sources)
        if docs and rng.random() < 0.1:
            original = docs[-rng.randrange(1, min(len(docs), 50) + 1)]
            doc = dict(original) | {
                "_id": _id,
                "url": f"https://bench.example/{source.id}/{n}",
                "source": source.id,
                "source_name": source.name,
                "published_at": original["published_at"] + timedelta(minutes=rng.randrange(5, 600)),
                "duplicate_of": original["duplicate_of"] or original["_id"],
                "duplicate_kind": "near",
            }
            docs.append(doc)
            continue
        picks = rng.sample(range(len(pool)), rng.choice((2, 3, 4, 5, 6, 8, 10, 14)))
        title = pool[picks[0]][: rng.randrange(18, 36)].rstrip("，。！？,")
        body = "\n".join(pool[i] for i in picks)
        tokens = list(dict.fromkeys([*kit.tokenize(title), *(t for i in picks for t in cut[i])]))
        day = FIRST_DAY + timedelta(days=int(DAYS * (n / count) ** 0.8))  # more articles on recent days
        published = datetime(day.year, day.month, day.day, rng.randrange(7, 23), rng.randrange(60), tzinfo=SHANGHAI)
        docs.append(
            {
                "_id": _id,
                "url": f"https://bench.example/{source.id}/{n}",
                "source": source.id,
                "source_name": source.name,
                "kind": "newsflash" if len(picks) <= 3 else "article",
                "title": title,
                "author": None,
                "body": body,
                "summary": pool[picks[0]],
                "published_at": published,
                "fetched_at": published + timedelta(minutes=30),
                "tokens": tokens,
                "keywords": tokens[:8],
                "duplicate_of": None,
                "duplicate_kind": None,
                "cluster_id": f"c{n // rng.choice((1, 2, 3)):x}",
                "category": rng.choice(CATEGORIES),
                "category_confidence": round(rng.random(), 3),
                "ai_score": round(rng.random(), 3),
                "is_ai": rng.random() < 0.8,
            }
        )
    return docs


def load(store: Store, docs: list[dict[str, Any]], batch: int = 500) -> float:
    clock = time.perf_counter()
    for start in range(0, len(docs), batch):
        store.articles.insert_many(docs[start : start + batch], ordered=False)
    return time.perf_counter() - clock


def measure(store: Store, kit: TokenizerKit, last_day: date, repeats: int) -> list[dict[str, Any]]:
    rows = []
    for label, text, days_back, sources in QUERIES:
        terms, phrases = parse_query(text, kit.tokenize)
        since = last_day - timedelta(days=days_back) if days_back is not None else None
        query = SearchQuery(terms=terms, phrases=phrases, since=since, sources=sources, limit=20)
        search(store, query)  # warm the server's cache, as a second search would
        times = []
        for _ in range(repeats):
            clock = time.perf_counter()
            result = search(store, query)
            times.append((time.perf_counter() - clock) * 1000)
        plan = search_plan(store, query)
        rows.append(
            {
                "shape": label,
                "query": text + (f" --since {since}" if since else "") + "".join(f" --source {s}" for s in sources),
                "candidates": result.candidates,
                "matches": result.matches,
                "median_ms": statistics.median(times),
                "p95_ms": sorted(times)[max(0, round(0.95 * len(times)) - 1)],
                "plan": plan,
            }
        )
    return rows


def build_and_measure(folder: Path, kit: TokenizerKit, count: int, repeats: int) -> list[dict[str, Any]]:
    clock = time.perf_counter()
    # A long socket timeout: one bulk insert into a large multikey index can take a while.
    with Store.open(None, data_dir=folder, timeout_ms=60_000) as store:
        store.ensure_indexes()
        have = store.articles.estimated_document_count()
        if have < count:  # a fresh database, or an interrupted load resumed (the data set is seeded)
            pool = sentences()
            docs = make_articles(count, pool, kit)
            made = time.perf_counter() - clock
            seconds = load(store, docs[have:])
            tokens = sum(len(d["tokens"]) for d in docs) / len(docs)
            print(
                f"made {len(docs)} articles from {len(pool)} sentences in {made:.0f}s (avg {tokens:.0f} tokens); "
                f"inserted {len(docs) - have} in {seconds:.0f}s ({(len(docs) - have) / seconds:.0f}/s)"
            )
            clock_df = time.perf_counter()
            terms = rebuild_term_df(store)
            print(f"term_df: {terms} terms in {time.perf_counter() - clock_df:.0f}s")
        else:
            print(f"reusing {have} articles in {folder}")
        # The newest day from the term table: a sorted find_one scans everything on SecantusDB.
        last = term_table(store, [])[1].get("last_published_at")
        last_day = last.astimezone(SHANGHAI).date() if last else FIRST_DAY
        return measure(store, kit, last_day, repeats)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="database folder to build once and reuse")
    args = parser.parse_args()

    clock = time.perf_counter()
    kit = TokenizerKit.build()
    if args.keep:
        rows = build_and_measure(args.keep, kit, args.docs, args.repeats)
    else:
        with tempfile.TemporaryDirectory(prefix="aidaily-bench-") as folder:
            rows = build_and_measure(Path(folder), kit, args.docs, args.repeats)

    print(f"\n{'shape':<10} {'query':<46} {'cand':>6} {'hits':>6} {'median ms':>10} {'p95 ms':>8}  plan")
    for row in rows:
        print(
            f"{row['shape']:<10} {row['query']:<46} {row['candidates']:>6} {row['matches']:>6} "
            f"{row['median_ms']:>10.1f} {row['p95_ms']:>8.1f}  {row['plan']}"
        )
    worst = max(r["p95_ms"] for r in rows)
    indexed = all("COLLSCAN" not in r["plan"] for r in rows)
    print(f"\nworst p95 {worst:.1f} ms; index hit on every query shape: {indexed}")
    print(f"total {time.perf_counter() - clock:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
