"""The event join and AI relevance on the real feed weeks (``bench/data/feeds``), each gate beside the baselines.

    .venv/bin/python -m bench.feed_quality            # the gate comparison and relevance tables (dev weeks only)
    .venv/bin/python -m bench.feed_quality --test     # ... and the test week: once per shipped candidate

Gates, all deciding the same candidate pairs (the runner's, ``enrich.pairgate``):
- v1 (rule): the first candidate's thresholds (title cosine ≥ 0.6, or rare shared names ≥ 6 IDF units with title
  ≥ 0.4 / title+lead ≥ 0.35), replayed here on today's candidates;
- v2 (stricter rule): ``enrich.pairgate.offline_verdict``;
- v3 (pair model): ``enrich.pairmodel``, the shipped gate. On a dev week its figures are cross-validated: each day
  is decided by a model fitted on the other dev days with its threshold chosen on those days alone
  (``enrich.training.gate.fold_models``); on the test week it is the shipped artifact.
Truth: ``gold`` (v2, the pairs both readers joined, on dev and test; the single reader on dev-0723 and dev-0817).
Pairs are all pairs inside predicted clusters; B-cubed beside all-singletons.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.dates import SHANGHAI
from enrich.pairgate import GateRules, Pair, offline_verdict
from enrich.pairmodel import PairModel, load_pair_model
from enrich.runner import CandidateSink, EnrichSettings, GateVerdict, enrich
from enrich.tokens import TokenizerKit
from enrich.training.gate import read_week

FEEDS = Path(__file__).resolve().parent / "data" / "feeds"
DEV_WEEKS = ("dev", "dev-0723", "dev-0817")
TEST_WEEK = "test"
RULES = GateRules()


def feed_articles(week: str, gold: str = "gold") -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The articles of a hand-labelled real feed week (``bench/data/feeds/<week>.jsonl``) and their events."""
    return read_week(week, FEEDS, label=gold)


def pair_scores(predicted: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float, int, int]:
    """Precision and recall of the pairs inside groups (id -> group key), and the pair counts."""
    pred, true = _pairs(predicted), _pairs(truth)
    hit = len(pred & true)
    return (hit / len(pred) if pred else 1.0), (hit / len(true) if true else 1.0), len(pred), len(true)


def _pairs(groups: Mapping[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = {}
    for doc_id, key in groups.items():
        members.setdefault(key, []).append(doc_id)
    return {(a, b) for ids in members.values() for a in sorted(ids) for b in sorted(ids) if a < b}


def bcubed(predicted: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering (id -> cluster) against the truth."""
    pred_sets: dict[str, set[str]] = {}
    true_sets: dict[str, set[str]] = {}
    for doc_id in truth:
        pred_sets.setdefault(predicted[doc_id], set()).add(doc_id)
        true_sets.setdefault(truth[doc_id], set()).add(doc_id)
    precision = recall = 0.0
    for doc_id in truth:
        mine, theirs = pred_sets[predicted[doc_id]], true_sets[truth[doc_id]]
        common = len(mine & theirs)
        precision += common / len(mine)
        recall += common / len(theirs)
    precision, recall = precision / len(truth), recall / len(truth)
    return precision, recall, 2 * precision * recall / (precision + recall)


def gate_v1(pair: Pair) -> bool:
    """The first candidate's rule (commit fa06760), replayed on today's candidates."""
    if pair.blocked or pair.roundup:
        return False
    if pair.title_sim >= 0.6 or (pair.lead_strong >= 6.0 and pair.full_sim >= 0.35):
        return True
    return pair.strong >= 6.0 and (pair.title_sim >= 0.4 or pair.full_sim >= 0.35)


def each(rule: Callable[[Pair], bool]) -> GateVerdict:
    """A per-pair rule as a gate verdict."""
    return lambda pairs: [rule(p) for p in pairs]


@dataclass(frozen=True)
class GateResult:
    """One gate on one week."""

    week: str
    gate: str
    precision: float
    recall: float
    predicted: int
    true: int
    bcubed_f1: float
    singletons_f1: float
    items: int


def run_gate(
    week: str, gate: str, verdict: GateVerdict, kit: TokenizerKit, sink: CandidateSink | None = None
) -> GateResult:
    """Cluster the week with ``verdict`` and score it against the week's gold."""
    docs, gold = feed_articles(week)
    settings = EnrichSettings(gate_verdict=verdict)
    result = enrich(docs, [], kit=kit, settings=settings, now=datetime.now(SHANGHAI), on_candidates=sink)
    predicted = {d: f["cluster_id"] for d, f in result.updates}
    p, r, n_pred, n_true = pair_scores(predicted, gold)
    singletons = bcubed({d["_id"]: d["_id"] for d in docs}, gold)[2]
    return GateResult(week, gate, p, r, n_pred, n_true, bcubed(predicted, gold)[2], singletons, len(docs))


def cv_models(kit: TokenizerKit) -> dict[str, PairModel]:
    """The per-day models of the dev cross-validation (nested: each threshold chosen without the held-out day)."""
    from enrich.training.gate import collect_weeks, fold_models

    return fold_models(collect_weeks(DEV_WEEKS, kit), float(load_pair_model().meta.get("C", 1.0)))


def gate_results(weeks: Sequence[str], kit: TokenizerKit) -> list[GateResult]:
    """Every gate on every week: v3 cross-validated on dev weeks, shipped on the test week."""
    folds = cv_models(kit) if any(w != TEST_WEEK for w in weeks) else {}
    out = []
    for week in weeks:
        if week == TEST_WEEK:
            v3 = run_gate(week, "v3 (pair model)", load_pair_model().accept, kit)
        else:
            from enrich.training.gate import by_day

            sink, verdict = by_day(folds, week)
            v3 = run_gate(week, "v3 (pair model, CV)", verdict, kit, sink)
        out.append(v3)
        out.append(run_gate(week, "v2 (stricter rule)", each(lambda p: offline_verdict(p, RULES)), kit))
        out.append(run_gate(week, "v1 (rule)", each(gate_v1), kit))
    return out


def gate_table(results: Sequence[GateResult]) -> list[str]:
    """Markdown lines: one row per week and gate, with all-singletons beside."""
    lines = [
        "| week | gate | pair P | pair R | predicted / true pairs | B-cubed F1 | all-singletons B-cubed F1 | margin |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.week} ({r.items}) | {r.gate} | {r.precision:.3f} | {r.recall:.3f} | {r.predicted} / {r.true} | "
            f"{r.bcubed_f1:.3f} | {r.singletons_f1:.3f} | {r.bcubed_f1 - r.singletons_f1:+.3f} |"
        )
    return lines


def feed_rows(result: GateResult) -> list[dict[str, Any]]:
    """The shipped gate's figures on a week as table rows (targets beside)."""
    label = f"(real feed, {result.week} week, {result.items} items, {result.gate}, gold)"
    note = f"baseline: all-singletons; {result.true} true pairs, {result.predicted} predicted"
    return [
        {"metric": f"same-event pair precision {label}", "value": result.precision, "baseline": 1.0, "target": 0.95,
         "note": note},
        {"metric": f"same-event pair recall {label}", "value": result.recall, "baseline": 0.0, "target": 0.60,
         "note": note},
        {"metric": f"cluster B-cubed F1 {label}", "value": result.bcubed_f1, "baseline": result.singletons_f1,
         "target": round(result.singletons_f1 + 0.05, 3), "note": note},
    ]  # fmt: skip


def feed_relevance_rows(week: str) -> list[dict[str, Any]]:
    """AI relevance of the shipped model on a real mixed feed week, beside the always-AI baseline."""
    from enrich.relevance import load_model, score_relevance

    items = [json.loads(line) for line in (FEEDS / f"{week}.jsonl").read_text(encoding="utf-8").splitlines()]
    model = load_model()
    predicted = [ai for _, ai in score_relevance([{"title": i["title"], "body": i["lead"]} for i in items], model)]
    truth = [bool(i["is_ai"]) for i in items]
    ai_recall = sum(p and t for p, t in zip(predicted, truth, strict=True)) / max(1, sum(truth))
    non_ai_recall = sum(not p and not t for p, t in zip(predicted, truth, strict=True)) / max(1, truth.count(False))
    label = f"(real feed, {week} week, {len(items)} items, {truth.count(False)} non-AI)"
    note = (
        f"baseline: always AI; relevance {model.version}; AI recall {ai_recall:.3f}; always-AI: balanced 0.500, "
        "non-AI recall 0.000"
    )
    return [
        {"metric": f"relevance balanced accuracy {label}", "value": (ai_recall + non_ai_recall) / 2,
         "baseline": 0.5, "target": 0.95, "note": note},
        {"metric": f"relevance non-AI recall {label}", "value": non_ai_recall, "baseline": 0.0, "target": 0.90,
         "note": note},
    ]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    """Print the gate comparison and the relevance rows."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--test", action="store_true", help="also the test week (once per shipped candidate)")
    args = parser.parse_args(argv)
    weeks = [*DEV_WEEKS, TEST_WEEK] if args.test else list(DEV_WEEKS)
    kit = TokenizerKit.build()
    print("\n".join(gate_table(gate_results(weeks, kit))))
    print()
    print("| metric | value | baseline | target | note |\n|---|---|---|---|---|")
    for week in weeks:
        for row in feed_relevance_rows(week):
            print(f"| {row['metric']} | {row['value']:.3f} | {row['baseline']:.3f} | {row['target']} | {row['note']} |")


if __name__ == "__main__":
    main()
