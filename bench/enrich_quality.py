"""Quality of the enrichment core against the labelled daily-report archive, beside simple baselines.

    .venv/bin/python -m bench.enrich_quality

How the truth is built (documented here because the numbers mean nothing without it):
- Articles: every item the archive parser (``enrich.labels``) reads from
  ../shared/labels/hubtoday-daily becomes one article (title, body, its day at 08:00 plus
  a minute per position, source from its first article link's host).
- Event clusters: items whose first article link (images excluded) is the same URL and whose days
  are at most ``STORY_DAYS`` apart are the same story (chained); every other item is its own story.
  Items about one event that link different URLs count as different stories here, so measured
  precision is a lower bound.
- Near duplicates: a seeded random ``REPOST_SHARE`` of items get a synthetic repost on another
  source 1 to 30 hours later, edited the way reposts are (a credit line such as
  "本文来自微信公众号：量子位" on top, sometimes a trimmed last sentence, full-width punctuation
  turned half-width, sometimes a "重磅｜" title prefix). A repost is a duplicate of its original
  and belongs to its original's story. Archive items with the same normalised text are
  duplicates too; items that share a link but were rewritten are not (same event, new text).
Pairs are scored over all pairs inside predicted and true duplicate groups; clusters by B-cubed.
Category and relevance rows come from ``bench.quality_category.category_rows()`` when present.
"""

from __future__ import annotations

import importlib
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from crawler.dates import SHANGHAI
from enrich.dedupe import normalized_text
from enrich.labels import parse_archive
from enrich.runner import EnrichSettings, enrich
from enrich.tokens import TokenizerKit

ARCHIVE = Path(__file__).resolve().parents[2] / "shared" / "labels" / "hubtoday-daily"
STORY_DAYS = 3
REPOST_SHARE = 0.3
SEED = 11
HOSTS = {"36kr.com": "36kr", "ithome.com": "ithome", "jiqizhixin.com": "jiqizhixin", "qbitai.com": "qbitai",
         "oschina.net": "oschina", "aibase.com": "aibase", "mp.weixin.qq.com": "aiera"}  # fmt: skip
CREDITS = ("本文来自微信公众号：量子位", "来源：机器之心", "本文转载自新智元", "文章来源：AIbase")
_IMAGE = re.compile(r"\.(avif|png|jpe?g|gif|webp|svg)(\?|$)|raw\.githubusercontent|source\.hubtoday", re.IGNORECASE)


def archive_articles() -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Articles from the archive and their true story id."""
    docs: list[dict[str, Any]] = []
    link_of: dict[str, str | None] = {}
    position: dict[str, int] = defaultdict(int)
    for item in parse_archive(ARCHIVE).items:
        n = position[item.date]
        position[item.date] += 1
        link = next((u for u in item.links if not _IMAGE.search(u)), None)
        doc_id = f"{item.date}-{n:02d}"
        docs.append({
            "_id": doc_id,
            "url": link if link and link not in {d["url"] for d in docs[-60:]} else f"https://hubtoday.example/{doc_id}",
            "source": _source(link),
            "title": item.title,
            "body": item.body,
            "published_at": datetime.combine(date.fromisoformat(item.date), time(8, 0), SHANGHAI)
            + timedelta(minutes=n),
        })  # fmt: skip
        link_of[doc_id] = link
    return docs, _stories(docs, link_of)


def _source(link: str | None) -> str:
    host = re.sub(r"^https?://(www\.|news\.)?", "", link or "").split("/")[0]
    return next((s for h, s in HOSTS.items() if host.endswith(h)), "other")


def _stories(docs: Sequence[Mapping[str, Any]], link_of: Mapping[str, str | None]) -> dict[str, str]:
    story = {d["_id"]: d["_id"] for d in docs}
    last_seen: dict[str, tuple[date, str]] = {}
    for doc in docs:  # archive order is chronological
        link, day = link_of[doc["_id"]], doc["published_at"].date()
        if link is None:
            continue
        if link in last_seen and (day - last_seen[link][0]).days <= STORY_DAYS:
            story[doc["_id"]] = story[last_seen[link][1]]
        last_seen[link] = (day, doc["_id"])
    return story


def with_reposts(docs: list[dict[str, Any]], story: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Docs plus synthetic reposts; returns the true duplicate group (canonical id) of every doc."""
    rng = random.Random(SEED)
    group: dict[str, str] = {}
    first_by_text: dict[str, str] = {}
    for doc in docs:
        text = normalized_text(doc["title"], doc["body"])
        group[doc["_id"]] = first_by_text.setdefault(text, doc["_id"])
    out = list(docs)
    for doc in docs:
        if len(doc["body"]) < 60 or rng.random() >= REPOST_SHARE:
            continue
        sentences = re.findall(r"[^。！？]+[。！？]?", doc["body"])
        if len(sentences) > 2 and rng.random() < 0.5:
            sentences = sentences[:-1]
        body = "".join(sentences).replace("，", ",").replace("：", ":").replace("（", "(").replace("）", ")")
        repost_id = f"{doc['_id']}-repost"
        out.append(doc | {
            "_id": repost_id,
            "url": f"https://repost.example/{repost_id}",
            "source": rng.choice(["36kr", "ithome", "aibase"]),
            "title": ("重磅｜" if rng.random() < 0.3 else "") + doc["title"],
            "body": f"{rng.choice(CREDITS)}\n{body}",
            "published_at": doc["published_at"] + timedelta(hours=rng.randint(1, 30)),
        })  # fmt: skip
        group[repost_id] = group[doc["_id"]]
        story[repost_id] = story[doc["_id"]]
    return out, group


def pair_scores(predicted: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float, int, int]:
    """Precision and recall of the pairs inside groups (id -> group key), and the pair counts."""
    pred, true = _pairs(predicted), _pairs(truth)
    hit = len(pred & true)
    return (hit / len(pred) if pred else 1.0), (hit / len(true) if true else 1.0), len(pred), len(true)


def _pairs(groups: Mapping[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for doc_id, key in groups.items():
        members[key].append(doc_id)
    return {(a, b) for ids in members.values() for a in sorted(ids) for b in sorted(ids) if a < b}


def bcubed(predicted: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering (id -> cluster) against the truth."""
    pred_sets, true_sets = _sets(predicted), _sets(truth)
    precision = recall = 0.0
    for doc_id in truth:
        mine, theirs = pred_sets[predicted[doc_id]], true_sets[truth[doc_id]]
        common = len(mine & theirs)
        precision += common / len(mine)
        recall += common / len(theirs)
    precision, recall = precision / len(truth), recall / len(truth)
    return precision, recall, 2 * precision * recall / (precision + recall)


def _sets(groups: Mapping[str, str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for doc_id, key in groups.items():
        out[key].add(doc_id)
    return out


def same_title(docs: Iterable[Mapping[str, Any]], *, strip_prefix: bool = False) -> dict[str, str]:
    """Baseline: articles with the same normalised title are one group."""
    out: dict[str, str] = {}
    first: dict[str, str] = {}
    for doc in docs:
        title = doc["title"].removeprefix("重磅｜") if strip_prefix else doc["title"]
        out[doc["_id"]] = first.setdefault(normalized_text(title, ""), doc["_id"])
    return out


def rows() -> list[dict[str, Any]]:
    """The core's duplicate and cluster figures, each beside its baseline, as table rows."""
    docs, story = archive_articles()
    docs, dup_truth = with_reposts(docs, story)
    result = enrich(docs, [], kit=TokenizerKit.build(), settings=EnrichSettings(), now=datetime.now(SHANGHAI))
    fields = dict(result.updates)
    predicted_dup = {d: f["duplicate_of"] or d for d, f in fields.items()}
    predicted_cluster = {d: f["cluster_id"] for d, f in fields.items()}
    p, r, n_pred, n_true = pair_scores(predicted_dup, dup_truth)
    bp, br, b_pred, _ = pair_scores(same_title(docs), dup_truth)
    dup_note = f"{len(docs)} articles, {n_true} true pairs; core {n_pred} / baseline {b_pred} predicted"
    cp, cr, cf = bcubed(predicted_cluster, story)
    tp, tr, tf = bcubed(same_title(docs, strip_prefix=True), story)
    singletons = bcubed({d["_id"]: d["_id"] for d in docs}, story)[2]
    cluster_note = (
        f"{len(set(story.values()))} true stories, {len(set(predicted_cluster.values()))} clusters; "
        f"all-singletons F1 {singletons:.3f}"
    )
    return [
        _row("near-duplicate pair precision", p, bp, 0.95, "exact title", dup_note),
        _row("near-duplicate pair recall", r, br, 0.90, "exact title", dup_note),
        _row("cluster B-cubed precision", cp, tp, None, "same title", cluster_note),
        _row("cluster B-cubed recall", cr, tr, None, "same title", cluster_note),
        _row("cluster B-cubed F1", cf, tf, 0.85, "same title", cluster_note),
    ]


def _row(
    metric: str, value: float, baseline: float, target: float | None, baseline_name: str, note: str
) -> dict[str, Any]:
    return {
        "metric": metric,
        "value": value,
        "baseline": baseline,
        "target": target,
        "note": f"baseline: {baseline_name}; {note}",
    }


def _other_rows() -> list[dict[str, Any]]:
    try:
        module = importlib.import_module("bench.quality_category")
    except ModuleNotFoundError as exc:
        if exc.name != "bench.quality_category":
            raise
        return []
    return list(module.category_rows()) if hasattr(module, "category_rows") else []


def _cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value if value is not None else "")


def main() -> None:
    table = rows() + _other_rows()
    columns = ["metric", "value", "baseline", "target"]
    columns += [*sorted({k for r in table for k in r} - {*columns, "note"}), "note"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in table:
        print("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")


if __name__ == "__main__":
    main()
