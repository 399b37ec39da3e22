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

Hand-labelled events (``bench/data/event_truth.tsv``): every item of seven consecutive archive days
(2025-11-18 to 11-24, the week of the Gemini 3 and Nano Banana Pro launches) was read and assigned an
event by hand. One event is one real-world happening (a release, announcement, paper, deal, incident,
post or thread) with what is about it: its coverage, a leak before it, its official guides, and hands-on
reports of the released thing. An item whose subject is another happening that only mentions it (a CEO's
remark during the launch week, a contest the model joins, a workflow combining two products, a broad
analysis) is its own event; so are different events about one company. A repo featured twice is one event.
Only those items are enriched (in one call, days oldest first, shipped settings), beside the same-title,
all-singletons and keyword-overlap baselines. A second week, ``bench/data/event_truth_dev.tsv`` (2025-08-04 to
08-10, the week of gpt-oss, Claude Opus 4.1 and GPT-5), was labelled by the same rule as the DEV set: clustering
changes are designed and tuned on it, and the November week is the TEST set, measured once per change.
Category and relevance rows come from ``bench.quality_category.category_rows()`` when present.
"""

from __future__ import annotations

import importlib
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from crawler.dates import SHANGHAI
from enrich.dedupe import normalized_text
from enrich.labels import LabelledItem, parse_archive
from enrich.runner import EnrichSettings, enrich
from enrich.tokens import TokenizerKit

ARCHIVE = Path(__file__).resolve().parents[2] / "shared" / "labels" / "hubtoday-daily"
EVENT_TRUTH = Path(__file__).resolve().parent / "data" / "event_truth.tsv"
# A second week labelled by the same rule, for design and tuning; event_truth.tsv is then the test week.
EVENT_TRUTH_DEV = Path(__file__).resolve().parent / "data" / "event_truth_dev.tsv"
# Fixed before any run on the hand-labelled set, not tuned on it: a later article joins an earlier one
# (within STORY_DAYS) when at least this many of their stored keywords (8 each) are the same.
SHARED_KEYWORDS = 3
STORY_DAYS = 3
REPOST_SHARE = 0.3
SEED = 11
HOSTS = {"36kr.com": "36kr", "ithome.com": "ithome", "jiqizhixin.com": "jiqizhixin", "qbitai.com": "qbitai",
         "oschina.net": "oschina", "aibase.com": "aibase", "mp.weixin.qq.com": "aiera"}  # fmt: skip
CREDITS = ("本文来自微信公众号：量子位", "来源：机器之心", "本文转载自新智元", "文章来源：AIbase")
_IMAGE = re.compile(r"\.(avif|png|jpe?g|gif|webp|svg)(\?|$)|raw\.githubusercontent|source\.hubtoday", re.IGNORECASE)
# Links that are the digest's own pages (a day page such as https://ai.hubtoday.app//2025-12/2025-12-03/), not an
# article: taken as the item's link they made fake stories of up to 16 unrelated items.
_OWN_PAGE = re.compile(r"^https?://(ai\.)?hubtoday\.app/", re.IGNORECASE)


def archive_articles() -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Articles from the archive and their true story id."""
    docs, link_of = item_docs(parse_archive(ARCHIVE).items)
    return docs, _stories(docs, link_of)


def item_docs(items: Iterable[LabelledItem]) -> tuple[list[dict[str, Any]], dict[str, str | None]]:
    """One article per archive item (id ``DAY-NN``, NN its position in the day), and its first article link."""
    docs: list[dict[str, Any]] = []
    link_of: dict[str, str | None] = {}
    position: dict[str, int] = defaultdict(int)
    for item in items:
        n = position[item.date]
        position[item.date] += 1
        link = next((u for u in item.links if not _IMAGE.search(u) and not _OWN_PAGE.search(u)), None)
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
    return docs, link_of


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


# Rewrites a reposting editor makes (synonyms), for the "rewritten" reposts.
_SYNONYMS = (("发布", "推出"), ("宣布", "表示"), ("目前", "当前"), ("用户", "使用者"), ("能力", "本领"),
             ("显著", "明显"), ("提升", "提高"), ("支持", "支援"), ("已经", "已"), ("进行", "开展"))  # fmt: skip
REPOST_KINDS = ("edited", "retitled", "rewritten")


def with_reposts(
    docs: list[dict[str, Any]], story: dict[str, str], kinds: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Docs plus synthetic reposts; returns the true duplicate group (canonical id) of every doc.

    Each repost is one of ``REPOST_KINDS`` (recorded in ``kinds``): "edited" (a credit line, a trimmed last
    sentence, half-width punctuation, sometimes a "重磅｜" prefix — what ``enrich.dedupe`` already handles),
    "retitled" (the same edits under a new headline cut from the lead) or "rewritten" (a new headline, the first
    two sentences swapped, the last dropped, ten common words replaced by synonyms).
    """
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
        kind = rng.choice(REPOST_KINDS)
        sentences = re.findall(r"[^。！？]+[。！？]?", doc["body"])
        title = doc["title"]
        if kind == "rewritten" and len(sentences) > 2:
            sentences = [sentences[1], sentences[0], *sentences[2:-1]]
        elif len(sentences) > 2 and rng.random() < 0.5:
            sentences = sentences[:-1]
        body = "".join(sentences)
        if kind == "rewritten":
            for word, synonym in _SYNONYMS:
                body = body.replace(word, synonym)
        else:
            body = body.replace("，", ",").replace("：", ":").replace("（", "(").replace("）", ")")
        if kind in ("retitled", "rewritten"):
            title = re.split(r"[，。！？：]", doc["body"].strip())[0][:28] or title
        elif rng.random() < 0.3:
            title = "重磅｜" + title
        repost_id = f"{doc['_id']}-repost"
        out.append(doc | {
            "_id": repost_id,
            "url": f"https://repost.example/{repost_id}",
            "source": rng.choice(["36kr", "ithome", "aibase"]),
            "title": title,
            "body": f"{rng.choice(CREDITS)}\n{body}",
            "published_at": doc["published_at"] + timedelta(hours=rng.randint(1, 30)),
        })  # fmt: skip
        group[repost_id] = group[doc["_id"]]
        story[repost_id] = story[doc["_id"]]
        if kinds is not None:
            kinds[repost_id] = kind
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


def read_event_truth(path: Path = EVENT_TRUTH) -> dict[str, tuple[str, str]]:
    """Item key (``DAY-NN``) -> (title prefix, event id) from the hand-labelled TSV."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    if header != ["date", "key", "title", "event", "note"]:
        raise ValueError(f"{path}: unexpected header {header}")
    truth: dict[str, tuple[str, str]] = {}
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(header) or not all(cells[:4]) or not cells[1].startswith(cells[0]):
            raise ValueError(f"{path}:{number}: malformed row {line!r}")
        if cells[1] in truth:
            raise ValueError(f"{path}:{number}: duplicate key {cells[1]}")
        truth[cells[1]] = (cells[2], cells[3])
    return truth


def event_articles(truth: Mapping[str, tuple[str, str]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Articles of every item on the labelled days, and each one's event; the labels must cover them exactly."""
    days = sorted({key[:10] for key in truth})
    docs, _ = item_docs(parse_archive(ARCHIVE, dates=days).items)
    events: dict[str, str] = {}
    for doc in docs:
        title, event = truth.get(doc["_id"], ("", ""))
        # The key is a position in the day, so a changed archive parser must fail here, not mislabel.
        if not event or not doc["title"].startswith(title):
            raise ValueError(f"{doc['_id']} ({doc['title'][:24]!r}) is not labelled as in the truth file")
        events[doc["_id"]] = event
    if missing := sorted(set(truth) - set(events)):
        raise ValueError(f"labelled items not in the archive: {missing[:5]}")
    return docs, events


def keyword_overlap(docs: Sequence[Mapping[str, Any]], keywords: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Baseline: in time order, join the earlier article (within STORY_DAYS) sharing the most keywords, if enough."""
    out: dict[str, str] = {}
    earlier: list[Mapping[str, Any]] = []
    for doc in sorted(docs, key=lambda d: (d["published_at"], d["_id"])):
        mine = set(keywords[doc["_id"]])
        best, best_shared = doc["_id"], SHARED_KEYWORDS - 1
        for other in earlier:
            if (doc["published_at"] - other["published_at"]).days > STORY_DAYS:
                continue
            shared = len(mine & set(keywords[other["_id"]]))
            if shared > best_shared:
                best, best_shared = out[other["_id"]], shared
        out[doc["_id"]] = best
        earlier.append(doc)
    return out


def event_rows(path: Path = EVENT_TRUTH, week: str = "test") -> list[dict[str, Any]]:
    """Cluster figures against the hand-labelled events, beside same-title, singleton and keyword baselines."""
    docs, events = event_articles(read_event_truth(path))
    result = enrich(docs, [], kit=TokenizerKit.build(), settings=EnrichSettings(), now=datetime.now(SHANGHAI))
    fields = dict(result.updates)
    predicted = {d: f["cluster_id"] for d, f in fields.items()}
    keywords = {d: f["keywords"] for d, f in fields.items()}
    baselines = {
        "same title": same_title(docs),
        "all-singletons": {d["_id"]: d["_id"] for d in docs},
        f"keyword overlap (>={SHARED_KEYWORDS} of 8)": keyword_overlap(docs, keywords),
    }
    scores = {name: bcubed(groups, events) for name, groups in baselines.items()}
    pairs = {name: pair_scores(groups, events) for name, groups in [("core", predicted), *baselines.items()]}
    multi = sum(1 for n in Counter(events.values()).values() if n > 1)
    others = "; ".join(f"{name} P/R/F1 {p:.3f}/{r:.3f}/{f:.3f}" for name, (p, r, f) in list(scores.items())[1:])
    note = (
        f"{len(set(events.values()))} true events ({multi} with 2+ items), "
        f"{len(set(predicted.values()))} clusters; {others}"
    )
    days = sorted({d["_id"][:10] for d in docs})
    label = (
        f"(hand-labelled events, {week} week {days[0][5:]}..{days[-1][5:]}, "
        f"{len(docs)} items, {len(set(events.values()))} events)"
    )
    cp, cr, cf = bcubed(predicted, events)
    tp, tr, tf = scores["same title"]
    pair_note = "; ".join(f"{name} {n} ({p:.3f}/{r:.3f})" for name, (p, r, n, _) in pairs.items())
    true_pairs = pairs["core"][3]
    return [
        _row(f"cluster B-cubed precision {label}", cp, tp, None, "same title", note),
        _row(f"cluster B-cubed recall {label}", cr, tr, None, "same title", note),
        _row(f"cluster B-cubed F1 {label}", cf, tf, None, "same title", note),
        _row(f"same-event pair precision {label}", pairs["core"][0], pairs["same title"][0], None, "same title",
             f"{true_pairs} true pairs; predicted pairs (P/R): {pair_note}"),
        _row(f"same-event pair recall {label}", pairs["core"][1], pairs["same title"][1], None, "same title",
             f"{true_pairs} true pairs; predicted pairs (P/R): {pair_note}"),
    ]  # fmt: skip


FEEDS = Path(__file__).resolve().parent / "data" / "feeds"


def feed_articles(week: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The articles of a hand-labelled real feed week (``bench/data/feeds/<week>.jsonl``) and their events."""
    docs: list[dict[str, Any]] = []
    events: dict[str, str] = {}
    for line in (FEEDS / f"{week}.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        docs.append({
            "_id": item["id"], "url": item["url"], "source": item["source"], "title": item["title"],
            "body": item["lead"], "published_at": datetime.fromisoformat(item["published_at"]),
        })  # fmt: skip
        events[item["id"]] = item["event"]
    return docs, events


def feed_rows(week: str) -> list[dict[str, Any]]:
    """Same-event pairs and B-cubed on a real feed week, beside all-singletons and same-title, one table row each."""
    docs, events = feed_articles(week)
    result = enrich(docs, [], kit=TokenizerKit.build(), settings=EnrichSettings(), now=datetime.now(SHANGHAI))
    fields = dict(result.updates)
    predicted = {d: f["cluster_id"] for d, f in fields.items()}
    singletons = {d["_id"]: d["_id"] for d in docs}
    gates = Counter(f.get("cluster_gate", "seed") for f in fields.values())
    p, r, n_pred, n_true = pair_scores(predicted, events)
    sp_, sr, _, _ = pair_scores(singletons, events)
    tp_, tr, t_pred, _ = pair_scores(same_title(docs), events)
    bp, br, bf = bcubed(predicted, events)
    sbp, sbr, sbf = bcubed(singletons, events)
    label = f"(real feed, {week} week, {len(docs)} items, {len(set(events.values()))} events)"
    note = (
        f"{n_true} true pairs, {n_pred} predicted (same title: {t_pred}, P/R {tp_:.3f}/{tr:.3f}); "
        f"gates {dict(sorted(gates.items()))}; B-cubed P/R core {bp:.3f}/{br:.3f}, all-singletons {sbp:.3f}/{sbr:.3f}"
    )
    return [
        _row(f"same-event pair precision {label}", p, sp_, 0.95, "all-singletons", note),
        _row(f"same-event pair recall {label}", r, sr, 0.60, "all-singletons", note),
        _row(f"cluster B-cubed F1 {label}", bf, sbf, round(sbf + 0.05, 3), "all-singletons", note),
    ]


def rows() -> list[dict[str, Any]]:
    """The core's duplicate and cluster figures, each beside its baseline, as table rows."""
    docs, story = archive_articles()
    kinds: dict[str, str] = {}
    docs, dup_truth = with_reposts(docs, story, kinds)
    result = enrich(docs, [], kit=TokenizerKit.build(), settings=EnrichSettings(), now=datetime.now(SHANGHAI))
    fields = dict(result.updates)
    predicted_dup = {d: f["duplicate_of"] or d for d, f in fields.items()}
    predicted_cluster = {d: f["cluster_id"] for d, f in fields.items()}
    p, r, n_pred, n_true = pair_scores(predicted_dup, dup_truth)
    bp, br, b_pred, _ = pair_scores(same_title(docs), dup_truth)
    by_kind = {
        kind: sum(1 for d, k in kinds.items() if k == kind and predicted_dup[d] == dup_truth[d])
        / max(1, sum(1 for k in kinds.values() if k == kind))
        for kind in REPOST_KINDS
    }
    dup_note = (
        f"{len(docs)} articles, {n_true} true pairs; core {n_pred} / baseline {b_pred} predicted; reposts found by "
        f"kind: " + ", ".join(f"{k} {v:.3f}" for k, v in by_kind.items())
    )
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
        _row("cluster B-cubed F1", cf, tf, None, "same title", cluster_note),
        _row("cluster B-cubed F1, all-singletons baseline", singletons, tf, None, "same title", cluster_note),
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
    table = feed_rows("dev") + feed_rows("test") + rows()
    table += event_rows(EVENT_TRUTH_DEV, "dev") + event_rows(EVENT_TRUTH, "test") + _other_rows()
    columns = ["metric", "value", "baseline", "target"]
    columns += [*sorted({k for r in table for k in r} - {*columns, "note"}), "note"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in table:
        print("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")


if __name__ == "__main__":
    main()
