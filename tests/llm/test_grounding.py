"""Grounding: generated sentences are kept only when the stored article text supports them."""

from __future__ import annotations

from enrich.grounding import FACT_THRESHOLD, Source, ground, has_url, numbers_supported, split_sentences, support

ARTICLE = (
    "深度求索正式发布新一代大模型DeepSeek-V4，并同步开源模型权重。\n"
    "在代码基准SWE-bench Verified上，DeepSeek-V4的得分为71.2%，较上一代提升9.6个百分点。\n"
    "深度求索宣布API价格下调50%，输入价格降至每百万词元1元。"
)


def test_paraphrase_is_kept_and_invention_dropped() -> None:
    source = Source([ARTICLE])
    text = "深度求索发布了新一代大模型DeepSeek-V4，并开源了模型权重。该公司同时宣布将在明年上市并收购一家芯片厂商。"
    kept, tally = ground(text, source)
    assert kept == "深度求索发布了新一代大模型DeepSeek-V4，并开源了模型权重。"
    assert (tally.kept, tally.total) == (1, 2)


def test_a_number_missing_from_the_source_drops_the_sentence() -> None:
    source = Source([ARTICLE])
    assert numbers_supported("DeepSeek-V4的得分为71.2%。", source)
    assert not numbers_supported("DeepSeek-V4的得分为72.5%。", source)
    kept, tally = ground("在代码基准SWE-bench Verified上，DeepSeek-V4的得分为81.2%。", source)
    assert kept == "" and tally.total == 1
    assert support("在代码基准SWE-bench Verified上，DeepSeek-V4的得分为81.2%。", source) >= FACT_THRESHOLD


def test_links_are_never_grounded() -> None:
    source = Source([ARTICLE + "\n详情见 https://example.com/a"])
    assert has_url("详情见 https://example.com/a")
    assert has_url("访问evil.com获取更多")
    assert not has_url("DeepSeek-V4的得分为71.2%")
    kept, _ = ground("深度求索正式发布新一代大模型，详情见 https://example.com/a。", source)
    assert kept == ""


def test_sentence_split_keeps_punctuation() -> None:
    assert split_sentences("第一句。第二句！\n第三句") == ["第一句。", "第二句！", "第三句"]
