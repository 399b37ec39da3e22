"""The shipped relevance model separates non-AI 快讯 (gold prices) from AI items, chips included."""

from __future__ import annotations

from enrich.relevance import load_model, name_pattern, score_relevance

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


LAW = {"title": "《人工智能法》今日起施行", "body": "法律明确高风险系统的登记、评估与透明度义务。"}
MUSIC = {"title": "某音乐平台与唱片公司续签版权协议", "body": "双方将在曲库授权、新歌首发和演唱会直播等方面继续合作。"}
CAMPUS = {"title": "某饮料品牌启动开学季校园推广", "body": "品牌将在百所高校举办快闪活动，并推出学生专属优惠券。"}


def test_a_law_that_names_ai_is_ai_and_consumer_deals_are_not() -> None:
    (_, law_ai), (_, music_ai), (_, campus_ai) = score_relevance([LAW, MUSIC, CAMPUS], load_model())
    assert law_ai and not music_ai and not campus_ai


def test_the_name_prior_matches_whole_latin_words_only() -> None:
    pattern = name_pattern(str(load_model().meta["prior"]["file"]))
    assert pattern.search("OpenAI发布新模型") and pattern.search("ai 眼镜销量") and pattern.search("算力租赁")
    assert not pattern.search("Email营销新规") and not pattern.search("Maid咖啡店开业")
