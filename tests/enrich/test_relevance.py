"""The shipped relevance model separates non-AI 快讯 (gold prices) from AI items, chips included."""

from __future__ import annotations

from enrich.relevance import load_model, score_relevance

GOLD = {"title": "现货黄金站上2700美元/盎司", "body": "受美元指数走弱提振，现货黄金日内涨1.2%，COMEX黄金期货同步走高。"}
CHIP = {
    "title": "英伟达发布新一代数据中心GPU",
    "body": "新架构GPU面向大模型训练与推理，单卡显存提升至288GB，首批系统交付云厂商。",
}
INDEX = {"title": "A股三大指数集体收涨", "body": "沪指涨0.9%，深成指涨1.2%，两市成交额1.1万亿元，银行板块走强。"}
AI_FUNDING = {"title": "AI初创公司完成5亿元B轮融资", "body": "公司专注于企业级大模型应用，资金将用于模型研发。"}


def test_gold_price_is_not_ai_and_chip_is_ai() -> None:
    (gold_score, gold_ai), (chip_score, chip_ai) = score_relevance([GOLD, CHIP], load_model())
    assert not gold_ai and gold_score < 0.2
    assert chip_ai and chip_score > 0.8


def test_market_moves_not_ai_but_ai_funding_is() -> None:
    (_, index_ai), (_, funding_ai) = score_relevance([INDEX, AI_FUNDING], load_model())
    assert not index_ai
    assert funding_ai


def test_deterministic() -> None:
    model = load_model()
    assert score_relevance([GOLD, CHIP], model) == score_relevance([GOLD, CHIP], model)
    assert score_relevance([], model) == []
