"""Key-point labels "entity + action" and a 今日摘要 of one whole sentence per story."""

from __future__ import annotations

import pytest

from crawler.summary import ends_sentence
from enrich.extractive import key_phrase, key_points, overview


@pytest.mark.parametrize(
    ("sentence", "keywords", "label"),
    [
        ("1月19日，百度正式发布文心5.0。", ["百度", "文心"], "百度发布文心5.0"),
        ("文心5.0 正式发布，参数达2.4万亿。", ["文心"], "文心5.0 发布"),
        ("智谱 AI 于 1 月 20 日宣布开源 GLM-4.7-Flash 模型。", ["智谱", "开源", "本地"], "智谱开源 GLM-4.7-Flash"),
        ("阶跃星辰发布多模态推理模型Step-R2，开放API调用。", ["阶跃星辰"], "阶跃星辰发布 Step-R2"),
        ("官方数据显示，Step-R2的表现较上一代提升超过15%。", [], "Step-R2 提升15%"),
        ("文心助手月活跃用户已突破2亿。", ["文心", "助手"], "文心助手突破2亿"),
        ("具身智能公司「灵枢机器人」近日完成数亿元A+轮融资。", ["公司"], "灵枢机器人完成"),
        ("这一天什么都没有发生。", [], ""),
    ],
)
def test_labels_are_a_name_and_its_action(sentence: str, keywords: list[str], label: str) -> None:
    assert key_phrase(sentence, keywords) == label


def test_reporting_words_are_not_the_action() -> None:
    assert key_phrase("微软今日宣布为 Copilot 推出深度思考模式。", ["微软"]) == "Copilot 推出"
    assert key_phrase("荣耀表示，新版本支持 50 多款应用。", ["荣耀"]) == "新版本支持 50 多款应用"


def test_generic_words_are_never_the_entity() -> None:
    assert key_phrase("用户开启后，公司可以连接更多数据。", ["用户", "公司", "数据"]) == ""


def test_key_points_are_whole_sentences_in_body_order_and_skip_subheadings() -> None:
    body = (
        "谷歌把Gemini和用户自己的数据接到了一起。\n一个能「翻你相册」的助手\n"
        "谷歌宣布，面向美国用户推出Gemini「个人智能」功能的测试版。\n与此同时，谷歌发布了新的隐私说明。"
    )
    points = key_points(body, ["gemini", "谷歌", "相册"], "谷歌Gemini突然懂你了")
    assert [t for _, t in points] == [
        "谷歌把Gemini和用户自己的数据接到了一起。",
        "谷歌宣布，面向美国用户推出Gemini「个人智能」功能的测试版。",
        "与此同时，谷歌发布了新的隐私说明。",
    ]
    assert all(ends_sentence(t) for _, t in points)
    assert [label for label, _ in points][1:] == ["推出 Gemini", "谷歌发布"]


def test_overview_is_one_sentence_per_story_in_order() -> None:
    summaries = [
        "1月20日，深度求索发布DeepSeek-V4，并同步开源模型权重。官方介绍，新模型采用混合专家架构。",
        "清华大学的研究团队近日提出一种新的稀疏注意力方法，该方法根据查询内容动态选择需要关注的文本块，从而减少注意力计算量，论文已被接收。",
        "1月20日，深度求索发布DeepSeek-V4，并同步开源模型权重。",  # the same event again: once only
        "智谱完成新一轮30亿元融资。",
    ]
    assert overview(summaries) == (
        "深度求索发布DeepSeek-V4，并同步开源模型权重。"
        "清华大学的研究团队近日提出一种新的稀疏注意力方法，该方法根据查询内容动态选择需要关注的文本块，从而减少注意力计算量。"
        "智谱完成新一轮30亿元融资。"
    )
    assert overview(summaries, stories=1) == "深度求索发布DeepSeek-V4，并同步开源模型权重。"


# Sentences of the offline demo (tests/fixtures/pages) whose labels were a bare keyword or a fragment:
# K3, MoE, Token 0.5, 舍不得用. Each now reads as a clause of its own sentence, or gives no label (no key point).
BARE = [
    (
        "价格方面，K3 的 API 输入价格为每百万 token 4 元，输出价格为每百万 token 16 元，约为上一代模型的三分之一。",
        ["K3", "月之暗面"],
        "K3 的 API 输入价格为每百万 token 4 元",
    ),
    (
        "该模型采用 MoE（混合专家）架构，总参数量为 30B，每次推理仅激活约 3B 参数。",
        ["MoE", "智谱"],
        "MoE架构",
    ),
    (
        "1月中旬，多家头部厂商先后宣布旗舰模型的API价格下调，其中输入Token价格最低已降至每百万Token 0.5元，"
        "比一年前下降了九成以上。",
        ["推理成本", "Token"],
        "",
    ),
    ("对应用公司来说，这意味着可以把过去“舍不得用”的大模型放进更多环节。", ["应用公司"], ""),
]


@pytest.mark.parametrize(("sentence", "keywords", "label"), BARE)
def test_a_label_is_never_a_bare_keyword_or_a_fragment(sentence: str, keywords: list[str], label: str) -> None:
    got = key_phrase(sentence, keywords)
    assert got == label
    assert got not in {"K3", "MoE", "Token 0.5", "Token 0.5元", "舍不得用"}
