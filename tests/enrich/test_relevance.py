"""The shipped relevance model separates non-AI 快讯 (gold prices) from AI items, chips included."""

from __future__ import annotations

import pytest

from enrich.relevance import RelevanceModel, load_model, name_pattern, score_relevance

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


# Items written for these tests (not feed items): the kinds the dev feed weeks showed as gaps.
RESULTS_NAMING_AI = {
    "title": "某搜索公司：二季度AI业务收入占比过半",
    "body": "智能云基础设施收入增长五成，GPU云连续增长。",
}
ROBOT_FUNDING = {"title": "某人形机器人公司完成数亿元融资", "body": "资金将用于整机量产和具身智能模型研发。"}
PHONE_WITH_AI = {"title": "某品牌折叠屏新机开售，起售价8999元", "body": "新机搭载大尺寸内屏和AI助手，续航提升。"}
ROUNDUP = {
    "title": "早报｜某手机新品开卖/某车企交付创新高/某平台回应裁员",
    "body": "另有消息称某大模型公司发布新模型。",
}


def test_results_that_name_ai_and_robots_are_ai_a_phone_and_a_roundup_are_not() -> None:
    verdicts = [
        ai for _, ai in score_relevance([RESULTS_NAMING_AI, ROBOT_FUNDING, PHONE_WITH_AI, ROUNDUP], load_model())
    ]
    assert verdicts == [True, True, False, False]


def test_the_roundup_flag_lowers_the_ai_score() -> None:
    model = load_model()
    assert model.lexicon == ("roundup",) and model.lexicon_coef[0] > 0  # towards not_ai
    plain = {"title": "某手机新品开卖，某车企交付创新高", "body": ROUNDUP["body"]}
    (roundup_score, _), (plain_score, _) = score_relevance([ROUNDUP, plain], model)
    assert roundup_score < plain_score


def test_the_artifact_is_3x_with_its_prior_tuned_on_dev_weeks_only() -> None:
    meta = load_model().meta
    assert meta["version"].startswith("3.") and meta["held_out"]["accuracy"] > 0.95
    assert meta["prior_tuned_on"]["weeks"] == ["dev", "dev-0723", "dev-0817"]
    assert 0.0 < meta["prior"]["with_name"] <= meta["threshold"] < 1.0


def test_a_2x_artifact_still_loads_without_a_lexicon_block() -> None:
    document = load_model().to_json()
    legacy = RelevanceModel.from_json({**document["text"], "meta": {"version": "2.0.0", "threshold": 0.95}})
    assert legacy.version == "2.0.0" and legacy.lexicon == ()
    assert legacy.predict_proba([GOLD]).shape == (1, 2)


def test_an_unknown_lexicon_feature_is_refused() -> None:
    document = load_model().to_json()
    with pytest.raises(ValueError, match="invented"):
        RelevanceModel.from_json({**document, "lexicon": ["invented"]})


def test_ai_names_come_from_the_prior_and_the_alias_table() -> None:
    pattern = name_pattern("relevance_prior.json")
    assert pattern.search("宇树科技今日上市") and pattern.search("豆包上线新功能")  # prior names; aliases.toml product
    assert pattern.search("Anthropic 拟引入超级投票权")  # an AI company listed in alias_companies
    assert not pattern.search("小米二季度营收1089亿元")  # a company of aliases.toml that is not an AI company
