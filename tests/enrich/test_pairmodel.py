"""The offline event gate v3: a logistic pair model with hard rules, its artifact and its training."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from crawler.dates import SHANGHAI
from enrich.pairgate import Pair
from enrich.pairmodel import FEATURES, HARD_RULES, PairModel, artifact_path, load_pair_model
from enrich.runner import EnrichSettings, enrich
from enrich.tokens import TokenizerKit
from enrich.training.gate import Candidate, choose_threshold, train

NOW = datetime(2026, 8, 18, 8, 0, tzinfo=SHANGHAI)
# Two outlets' 快讯 of one announcement: near-identical titles, similar leads, a shared sum, the same hours.
SAME = Pair(query=1, pool=0, title_sim=0.86, full_sim=0.6, shared=("co:waymo",), rare=12.0, blocked=(), strong=9.0,
            named=1, lead_strong=12.0, hours=1.5, amounts=1, title_contain=0.9,
            name_overlap=1.0, shared_figure=True)  # fmt: skip
# The same company the same day, another happening: little in common beyond the name.
OTHER = Pair(query=1, pool=0, title_sim=0.12, full_sim=0.14, shared=("co:anthropic",), rare=4.0, blocked=(),
             named=1, lead_strong=4.0, hours=0.5, title_contain=0.2,
             name_overlap=0.5)  # fmt: skip


def test_the_shipped_gate_joins_one_announcement_and_not_another_happening() -> None:
    model = load_pair_model()
    assert model.accept([SAME, OTHER]) == [True, False]
    assert model.probability([SAME])[0] > model.threshold > model.probability([OTHER])[0]


@pytest.mark.parametrize("rule", sorted(HARD_RULES))
def test_a_hard_rule_forbids_even_a_certain_pair(rule: str) -> None:
    values = {"blocked": ("version qwen: ['3'] vs ['3.5']",)}
    assert load_pair_model().accept([replace(SAME, **{rule: values.get(rule, True)})]) == [False]


def test_a_figure_conflict_and_days_apart_lower_the_probability() -> None:
    model = load_pair_model()
    base = float(model.probability([SAME])[0])
    assert float(model.probability([replace(SAME, figure_conflict=True, shared_figure=False)])[0]) < base
    assert float(model.probability([replace(SAME, hours=40.0)])[0]) < base


def test_the_artifact_is_versioned_numbers_only() -> None:
    text = artifact_path().read_text(encoding="utf-8")
    document = json.loads(text)
    model = PairModel.from_json(document)
    assert model.version == "3.0.0" and 0.0 < model.threshold < 1.0
    assert set(model.features) <= set(FEATURES) and set(model.rules) == set(HARD_RULES)
    assert model.meta["weeks"] == ["dev", "dev-0723", "dev-0817"] and "test" not in model.meta["weeks"]
    assert not re.search(r"[\u4e00-\u9fff]", text)  # no text of any article, only numbers and names
    again = PairModel.from_json(json.loads(json.dumps(model.to_json())))
    assert np.array_equal(again.probability([SAME, OTHER]), model.probability([SAME, OTHER]))


def test_an_artifact_naming_an_unknown_feature_is_refused() -> None:
    document: dict[str, Any] = load_pair_model().to_json()
    document["features"] = [*document["features"][:-1], "invented"]
    with pytest.raises(ValueError, match="invented"):
        PairModel.from_json(document)


def _candidates(seed: int) -> list[Candidate]:
    rng = np.random.default_rng(seed)
    out = []
    for n in range(400):
        same = n % 5 == 0
        sim = float(rng.uniform(0.5, 1.0) if same else rng.uniform(0.0, 0.6))
        pair = replace(OTHER, title_sim=sim, full_sim=sim * 0.8, title_contain=sim, hours=float(rng.uniform(0, 40)))
        out.append(Candidate("dev", date(2026, 8, 1) + timedelta(days=n % 6), f"q{n}", f"p{n}", pair, same))
    return out


def test_training_is_deterministic_and_meets_the_precision_it_was_asked_for() -> None:
    first, meta = train(_candidates(1))
    second, _ = train(_candidates(1))
    assert np.array_equal(first.coef, second.coef) and first.threshold == second.threshold
    assert meta["cv"]["candidate_precision"] >= 0.97 and meta["n_days"] == 6
    assert first.coef[first.features.index("title_sim")] > 0


def test_the_threshold_is_the_lowest_that_keeps_the_target_precision() -> None:
    probability = np.asarray([0.99, 0.98, 0.97, 0.9, 0.8, 0.7] * 10)
    labels = np.asarray([True, True, True, True, False, True] * 10)
    threshold, precision, recall = choose_threshold(probability, labels, np.zeros(60, dtype=bool), target=0.97)
    assert threshold == 0.9 and precision == 1.0 and recall == pytest.approx(40 / 50)


def test_the_runner_shows_its_candidates_and_uses_the_gate_it_is_given(kit: TokenizerKit) -> None:
    docs = [
        {"_id": "a", "url": "https://a.example/1", "source": "a", "title": "谷歌旗下Waymo为其无人出租车自研定制芯片",
         "body": "Waymo自研专用芯片，已在最新一代无人出租车中量产，算力超过1000 TOPS。", "published_at": NOW},
        {"_id": "b", "url": "https://b.example/1", "source": "b", "title": "谷歌旗下 Waymo 为其无人出租车自研定制芯片",
         "body": "据报道，这款 ASIC 采用台积电 5 纳米工艺，将芯片来源从英伟达等第三方拓展至自研。",
         "published_at": NOW + timedelta(hours=2)},
    ]  # fmt: skip
    seen: list[tuple[str, str, Pair]] = []
    settings = EnrichSettings(gate_verdict=lambda pairs: [False] * len(pairs))
    apart = dict(
        enrich(docs, [], kit=kit, settings=settings, now=NOW, on_candidates=lambda _, p: seen.extend(p)).updates
    )
    assert apart["b"]["duplicate_of"] is None  # not a repost: only the gate can join them
    assert [(q, p) for q, p, _ in seen] == [("b", "a")] and apart["a"]["cluster_id"] != apart["b"]["cluster_id"]
    shipped = dict(enrich(docs, [], kit=kit, settings=EnrichSettings(), now=NOW).updates)
    assert shipped["a"]["cluster_id"] == shipped["b"]["cluster_id"] and shipped["b"]["cluster_gate"] == "offline"
