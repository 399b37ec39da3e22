"""Fitting relevance 3.x: deterministic, the lexicon block learned beside the n-grams, the prior chosen on dev items."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from enrich.models import char_ngrams, normalize_for_model
from enrich.training.dataset import Example
from enrich.training.relevance import MIN_NON_AI_RECALL, fit_relevance, tune_prior

AI = [
    ("某公司发布新一代大模型", "模型在推理和代码任务上大幅提升。"),
    ("人形机器人完成量产交付", "机器人公司称订单饱满。"),
    ("AI芯片公司完成融资", "资金用于推理芯片研发。"),
    ("某平台上线智能体助手", "助手可以自动完成任务。"),
] * 3
NOT_AI = [
    ("早报｜某车企交付/某品牌新品/某平台调价", "今日要闻。"),
    ("现货黄金上涨1%", "美元走弱提振金价。"),
    ("某乳企上半年营收下滑", "公司称需求疲软。"),
    ("晚报｜某房企重组；某航司新航线", "大公司动态。"),
] * 3


def _analyzer(text: str) -> list[str]:
    return char_ngrams(normalize_for_model(text), 1, 2)


def _examples() -> list[Example]:
    return [Example(t, b, "ai", source="authored") for t, b in AI] + [
        Example(t, b, "not_ai", source="authored") for t, b in NOT_AI
    ]


def test_fitting_is_deterministic_and_learns_the_roundup_flag() -> None:
    kwargs: dict[str, Any] = {"ngram_range": (1, 2), "max_body_chars": 100, "max_features": 500}
    first = fit_relevance(_examples(), _analyzer, **kwargs)
    second = fit_relevance(_examples(), _analyzer, **kwargs)
    assert np.array_equal(first.text.coef, second.text.coef) and np.array_equal(first.lexicon_coef, second.lexicon_coef)
    assert first.lexicon == ("roundup",) and first.lexicon_coef[0] > 0  # a round-up leans to not_ai
    scores = first.predict_proba(
        [{"title": "早报｜某公司发布新一代大模型", "body": ""}, {"title": AI[0][0], "body": ""}]
    )
    assert scores[0, first.classes.index("ai")] < scores[1, first.classes.index("ai")]


class _Scores:
    """A stand-in model: fixed ai scores per title."""

    classes = ("ai", "not_ai")

    def __init__(self, scores: Mapping[str, float]) -> None:
        self.scores = scores

    def predict_proba(self, docs: Sequence[Mapping[str, Any]]) -> np.ndarray:
        ai = np.asarray([self.scores[d["title"]] for d in docs])
        return np.column_stack([ai, 1 - ai])


def test_the_prior_keeps_non_ai_recall_and_then_maximises_balanced_accuracy() -> None:
    # A title naming AI (大模型) scoring 0.3 is AI; an unnamed AI story scores 0.97; unnamed non-AI items 0.9 and 0.2.
    items = [
        {"title": "某公司大模型收入增长", "body": "", "is_ai": True},
        {"title": "某实验室发布新产品", "body": "", "is_ai": True},
        {"title": "某手机开售", "body": "", "is_ai": False},
        {"title": "金价上涨", "body": "", "is_ai": False},
    ]
    model = _Scores({"某公司大模型收入增长": 0.3, "某实验室发布新产品": 0.97, "某手机开售": 0.9, "金价上涨": 0.2})
    chosen = tune_prior(model, items)  # type: ignore[arg-type]
    assert chosen["non_ai_recall"] >= MIN_NON_AI_RECALL and chosen["balanced_accuracy"] == 1.0
    assert chosen["with_name"] <= 0.3 and 0.9 < chosen["threshold"] <= 0.97
