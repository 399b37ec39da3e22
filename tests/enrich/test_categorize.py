"""The shipped category model loads, classifies clear examples as the definitions say, and is deterministic."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from enrich.categorize import CATEGORIES, CategoryModel, categorize, keyword_counts, load_model
from enrich.models import LinearTextModel, WordTextModel, word_analyzer
from enrich.training.category import fit
from enrich.training.dataset import GOLD_HELD_OUT, GUIDELINE_RANDOM, GUIDELINE_REST, Example

FUNDING = {
    "title": "具身智能公司完成数亿元A+轮融资",
    "body": "本轮融资由红杉中国领投，老股东跟投，估值较上一轮翻倍。资金将用于扩大产能和市场拓展。",
}
MODEL_RELEASE = {
    "title": "阿里开源Qwen3大模型",
    "body": "通义千问团队发布并开源Qwen3系列模型，参数规模从0.6B到235B，在多项基准测试中领先，代码和权重已上传GitHub。",
}
PRODUCT_IN_USE = {
    "title": "通义千问App上线AI眼镜联动功能",
    "summary": "用户佩戴眼镜即可实时识物翻译，该功能已向全部用户开放，首批支持五款眼镜。",
}


def test_artifact_loads_once_with_version() -> None:
    model = load_model()
    assert model is load_model()
    assert set(model.classes) == set(CATEGORIES)
    assert model.version != "unversioned"
    assert model.meta["held_out_dates"][0] > model.meta["train_dates"][1]


def test_clear_examples() -> None:
    results = categorize([FUNDING, MODEL_RELEASE, PRODUCT_IN_USE], load_model())
    assert [label for label, _ in results] == ["产业商业", "技术底座", "行业动态"]
    assert all(0.0 < confidence <= 1.0 for _, confidence in results)


def test_deterministic_and_order_independent() -> None:
    model = load_model()
    first = categorize([FUNDING, MODEL_RELEASE], model)
    assert categorize([FUNDING, MODEL_RELEASE], model) == first
    assert categorize([MODEL_RELEASE, FUNDING], model) == first[::-1]
    assert categorize([], model) == []


def test_json_round_trip_keeps_predictions() -> None:
    model = load_model()
    rebuilt = CategoryModel.from_json(model.to_json())
    texts = ["具身智能公司完成数亿元A+轮融资\n估值翻倍", "阿里开源Qwen3大模型\n权重已上传GitHub"]
    assert np.allclose(rebuilt.predict_proba(texts), model.predict_proba(texts), atol=1e-6)
    assert rebuilt.version == model.version


def test_shipped_model_averages_the_char_and_word_models() -> None:
    model = load_model()
    assert model.words is not None and model.to_json()["format"] == "aidaily-category/3"
    texts = ["具身智能公司完成数亿元A+轮融资\n估值翻倍", "阿里开源Qwen3大模型\n权重已上传GitHub"]
    char_only = CategoryModel(model.text, model.keyword_lists, model.keyword_coef)
    expected = (char_only.predict_proba(texts) + model.words.predict_proba(texts)) / 2
    assert np.allclose(model.predict_proba(texts), expected)
    # A char-only model is still the older format, which this reader keeps loading.
    assert CategoryModel.from_json(char_only.to_json()).words is None
    assert char_only.to_json()["format"] == "aidaily-category/2"


def test_word_model_cuts_with_its_own_dictionary() -> None:
    # The dictionary travels in the artifact: the same text is cut differently by models trained with and
    # without 具身智能 in it, whatever enrich/data/ai_dict.txt holds now.
    assert "具身智能" in word_analyzer(("具身智能",), (), (1, 2))("具身智能公司完成融资")
    assert "具身智能" not in word_analyzer((), (), (1, 2))("具身智能公司完成融资")
    words = load_model().words
    assert words is not None and "具身智能" in words.dictionary and "的" in words.stopwords
    rebuilt = WordTextModel.from_json(words.to_json())
    assert rebuilt.dictionary == words.dictionary and rebuilt.analyze("具身智能公司") == words.analyze("具身智能公司")


def test_word_model_classes_must_match() -> None:
    model = load_model()
    assert model.words is not None
    shuffled = WordTextModel(**{**model.words.__dict__, "classes": model.words.classes[::-1]})
    with pytest.raises(ValueError, match="classes"):
        CategoryModel(model.text, model.keyword_lists, model.keyword_coef, words=shuffled)


def test_keyword_counts_are_log_distinct_hits() -> None:
    counts = keyword_counts(["融资融资 估值", "无关"], [("融资", "估值", "财报"), ("模型",)])
    assert counts.tolist() == [[pytest.approx(np.log(3.0)), 0.0], [0.0, 0.0]]


def test_keyword_block_adds_to_the_text_scores() -> None:
    # A tiny hand-built model: the n-gram block is neutral, so only the keyword block decides.
    text = LinearTextModel(
        name="category",
        classes=CATEGORIES,
        vocabulary={"的": 0},
        idf=np.ones(1),
        coef=np.zeros((3, 1)),
        intercept=np.zeros(3),
        ngram_range=(1, 1),
        max_body_chars=400,
    )
    model = CategoryModel(text, (("融资", "估值"), ("开源",)), np.array([[0.0, 2.0], [0.0, 0.0], [3.0, 0.0]]))
    results = categorize([{"title": "完成融资，估值翻倍"}, {"title": "开源的新框架"}, {"title": "的"}], model)
    assert [label for label, _ in results] == ["产业商业", "技术底座", "技术底座"]
    assert results[2][1] == pytest.approx(1 / 3, abs=1e-4)


def test_gold_file_is_complete_and_uses_the_three_categories() -> None:
    rows = list(csv.DictReader(GOLD_HELD_OUT.open(encoding="utf-8"), delimiter="\t"))
    assert len(rows) >= 300
    assert {row["label"] for row in rows} == set(CATEGORIES)
    readers = ("first_reader", "reader_a", "reader_b")
    for row in rows:
        votes = [row[reader] for reader in readers]
        assert set(votes) <= set(CATEGORIES)
        # The gold label is the majority of the three readers (the first reader's where all three differ).
        majority = max(set(votes), key=votes.count)
        assert row["label"] == (majority if votes.count(majority) > 1 else row["first_reader"])
    dates = sorted(row["date"] for row in rows)
    meta = load_model().meta
    assert meta["held_out_dates"] == [dates[0], dates[-1]]
    assert meta["train_dates"][1] < dates[0]
    assert meta["held_out_gold"]["macro_f1"] > 0.5


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_guideline_label_files_cover_the_training_days_only() -> None:
    gold_dates = {row["date"] for row in _rows(GOLD_HELD_OUT)}
    random_rows, rest_rows = _rows(GUIDELINE_RANDOM), _rows(GUIDELINE_REST)
    assert len(random_rows) >= 600
    for rows in (random_rows, rest_rows):
        assert {row["hand_label"] for row in rows} == set(CATEGORIES)
        assert not {row["date"] for row in rows} & gold_dates
    keys = [(row["date"], row["title"]) for row in random_rows + rest_rows]
    assert len(keys) == len(set(keys)), "an item is labelled in both files"
    counts = load_model().meta["n_train_by_label_source"]
    assert counts == {"guideline_random": len(random_rows), "guideline_rest": len(rest_rows)}


def test_fixed_offsets_and_priors_survive_the_fit() -> None:
    train = [
        Example("公司完成融资", "估值翻倍", "产业商业", "2025-06-02", "hand_check"),
        Example("公司完成融资", "领投方为红杉", "产业商业", "2025-06-02", "mapped"),
        Example("开源新模型", "权重已上传", "技术底座", "2025-06-02", "mapped"),
        Example("开源新模型", "参数规模", "技术底座", "2025-06-02", "hand_check"),
        Example("监管政策发布", "政府出台法规", "行业动态", "2025-06-02", "mapped"),
        Example("监管政策发布", "法院判决", "行业动态", "2025-06-02", "hand_check"),
    ]
    plain = fit(train, 1.0, (), weak_weight=0.5)
    assert plain.words is None
    assert fit(train, 1.0, (), word_c=1.0).words is not None
    shifted = fit(train, 1.0, (), 0.5, [(("政策",), "行业动态", 2.0)], [("产业商业", 1.5)])
    business = list(shifted.classes).index("产业商业")
    assert shifted.text.intercept[business] == pytest.approx(plain.text.intercept[business] + 1.5)
    assert shifted.keyword_lists == (("政策",),)
    assert shifted.keyword_coef[list(shifted.classes).index("行业动态"), 0] == 2.0
