"""Search latency over 100k stored articles: every match ranked, 20 query shapes, common words over a year.

    .venv/bin/python -m bench.search_speed                      # 100k articles, fresh temporary database
    .venv/bin/python -m bench.search_speed --docs 20000         # smaller
    .venv/bin/python -m bench.search_speed --keep /tmp/sdb      # build once into /tmp/sdb, reuse on the next run

The archive: ``bench.corpus.event_corpus`` (real text, several sources per event, reposts), enriched by
``enrich.runner.enrich`` itself (tokens, duplicates, clusters, keywords; the category is drawn at random,
seeded, since the models are not run here), stored with ``Store.ensure_indexes()`` in a fresh embedded
SecantusDB, then indexed by ``rebuild_index`` (what ``aidaily reindex`` runs). Latency is
``reports.search.search`` (what ``aidaily search`` calls, without process start and tokenizer load), the
catch-up check included, ``--repeats`` runs after one warm-up; ``matches`` = articles ranked.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bson import CodecOptions
from bson.raw_bson import RawBSONDocument

from bench.corpus import event_corpus
from crawler.dates import SHANGHAI
from crawler.sources import BUILTIN_SOURCES
from crawler.store import Store
from enrich.categorize import CATEGORIES
from enrich.runner import EnrichSettings, enrich
from enrich.searchstore import COLLECTION, index_articles, read_meta, rebuild_index
from enrich.tokens import TokenizerKit
from reports.search import SearchQuery, parse_query, search

# (shape, query text, days back from the newest day for --since (or None), extra filters)
QUERIES: list[tuple[str, str, int | None, dict[str, Any]]] = [
    ("company", "OpenAI", None, {}),
    ("company", "英伟达", None, {}),
    ("company", "字节跳动", None, {}),
    ("model", "DeepSeek", None, {}),
    ("model", "Claude", None, {}),
    ("model", "Gemini", None, {}),
    ("model", "Qwen", None, {}),
    ("two terms", "DeepSeek 开源", None, {}),
    ("two terms", "英伟达 芯片", None, {}),
    ("two terms", "OpenAI 模型", None, {}),
    ("two terms", "谷歌 Gemini", None, {}),
    ("common, a year", "模型", 365, {}),
    ("common, a year", "AI 模型", 365, {}),
    ("+ 30 days", "OpenAI", 30, {}),
    ("+ 30 days", "大模型 推理", 30, {}),
    ("+ 7 days", "模型", 7, {}),
    ("+ source", "DeepSeek", 60, {"sources": ("36kr", "ithome")}),
    ("+ category", "模型", None, {"category": "技术底座"}),
    ("+ cluster", "模型", None, {"cluster": None}),  # the largest cluster, found at run time
    ("phrase", '"开源模型"', None, {}),
]


def enriched_archive(count: int, kit: TokenizerKit) -> list[dict[str, Any]]:
    """``count`` corpus articles with the fields enrichment stores (category seeded at random)."""
    docs = event_corpus(count)
    now = datetime(2026, 6, 1, tzinfo=SHANGHAI)
    result = enrich(docs, [], kit=kit, settings=EnrichSettings(), now=now)
    fields = dict(result.updates)
    rng = random.Random(11)
    out = []
    for doc in docs:
        source = BUILTIN_SOURCES[doc["source"]]
        out.append(
            doc
            | fields[doc["_id"]]
            | {"source_name": source.name, "category": rng.choice(CATEGORIES), "summary": doc["body"][:120]}
        )
    return out


def build(store: Store, count: int, kit: TokenizerKit) -> None:
    """Load ``count`` enriched articles (resuming an interrupted load) and index them."""
    store.ensure_indexes()
    have = store.articles.estimated_document_count()
    if have >= count and read_meta(store) is not None:
        print(f"reusing {have:,} articles and their index")
        return
    clock = time.perf_counter()
    docs = enriched_archive(count, kit)
    print(f"made and enriched {len(docs):,} articles in {time.perf_counter() - clock:.0f}s")
    clock = time.perf_counter()
    for start in range(have, len(docs), 500):
        store.articles.insert_many(docs[start : start + 500], ordered=False)
    print(f"stored {len(docs) - have:,} in {time.perf_counter() - clock:.0f}s")
    clock = time.perf_counter()
    indexed = rebuild_index(store, kit)
    print(f"indexed {indexed:,} in {time.perf_counter() - clock:.1f}s (aidaily reindex)")


def index_size(store: Store) -> str:
    raw = store.collection(COLLECTION).with_options(codec_options=CodecOptions(document_class=RawBSONDocument))
    sizes = [len(d.raw) for d in raw.find()]
    return f"{len(sizes):,} documents, {sum(sizes) / 1e6:.0f} MB of BSON"


def measure(store: Store, kit: TokenizerKit, repeats: int) -> list[dict[str, Any]]:
    newest = max(d["published_at"] for d in store.articles.find({}, projection={"published_at": 1}))
    last_day: date = newest.astimezone(SHANGHAI).date()
    largest = store.articles.aggregate(
        [{"$group": {"_id": "$cluster_id", "n": {"$sum": 1}}}, {"$sort": {"n": -1}}, {"$limit": 1}]
    )
    cluster = next(largest)["_id"]
    rows = []
    for shape, text, days_back, extra in QUERIES:
        terms, phrases = parse_query(text, kit.tokenize)
        since = last_day - timedelta(days=days_back) if days_back is not None else None
        filters = {k: (cluster if k == "cluster" else v) for k, v in extra.items()}
        query = SearchQuery(terms=terms, phrases=phrases, since=since, limit=20, **filters)
        result = search(store, query, kit=kit)  # warm the server's cache, as a second search would
        times = []
        for _ in range(repeats):
            clock = time.perf_counter()
            result = search(store, query, kit=kit)
            times.append((time.perf_counter() - clock) * 1000)
        label = text + (f" --since {since}" if since else "")
        label += "".join(f" --{k} {v if isinstance(v, str) else ' '.join(v)}" for k, v in filters.items())
        rows.append(
            {
                "shape": shape,
                "query": label,
                "matches": result.matches,
                "stories": len(result.stories),
                "median_ms": statistics.median(times),
                "p95_ms": sorted(times)[max(0, round(0.95 * len(times)) - 1)],
            }
        )
    return rows


def daily_update(store: Store, kit: TokenizerKit) -> float:
    """Seconds to index one more day's worth of re-enriched articles (1,000), as ``aidaily enrich`` does."""
    ids = [f"s{n:07d}" for n in range(1000)]  # the corpus's first day (a find with limit reads everything first)
    docs = list(store.articles.find({"_id": {"$in": ids}}))
    later = datetime.now(SHANGHAI)
    for doc in docs:
        doc["enriched_at"] = later
    clock = time.perf_counter()
    index_articles(store, docs, kit)
    return time.perf_counter() - clock


def report(store: Store, kit: TokenizerKit, repeats: int) -> None:
    load = os.getloadavg()[0]
    rows = measure(store, kit, repeats)
    print(f"\nsearch index: {index_size(store)}; load average {load:.1f} at the start of the measurement\n")
    print("| shape | query | matches ranked | stories | median ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['shape']} | {r['query']} | {r['matches']:,} | {r['stories']} "
            f"| {r['median_ms']:.1f} | {r['p95_ms']:.1f} |"
        )
    worst = max(rows, key=lambda r: r["p95_ms"])
    print(f"\nworst p95 {worst['p95_ms']:.1f} ms ({worst['shape']}: {worst['query']}); target < 200 ms")
    print(f"indexing 1,000 re-enriched articles (one day, merges included): {daily_update(store, kit):.1f}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="database folder to build once and reuse")
    args = parser.parse_args()
    kit = TokenizerKit.build()
    with tempfile.TemporaryDirectory(prefix="aidaily-bench-") as scratch:
        folder = args.keep or Path(scratch)
        # A long socket timeout: one bulk insert into a large multikey index can take a while.
        with Store.open(None, data_dir=folder, timeout_ms=60_000) as store:
            build(store, args.docs, kit)
            report(store, kit, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
