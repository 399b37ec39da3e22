"""Extractive summaries: credits stripped per source, 100–300 characters, whole sentences, never cut mid-word."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.summary import MAX_CHARS, MIN_CHARS, ends_sentence, is_hook, news_sentence, strip_credits, summarize
from crawler.text import lead
from tests.shared_data import needs_shared, shared_path

SHARED = shared_path("fixtures", "pages")
QBITAI = Path(__file__).parents[1] / "fixtures" / "pages" / "www.qbitai.com" / "2026" / "01"
QBITAI_391187 = QBITAI / "391187.html.expected.json"

# Bylines and tags as the real pages print them (36氪, 新智元, 量子位, IT之家).
KR36 = (
    "文｜邱晓芬\n编辑｜苏建勋\n2026年刚开年，国内大模型厂商又一次集体调价。"
    "1月中旬，多家头部厂商先后宣布旗舰模型的API价格下调，"
    "其中输入Token价格最低已降至每百万Token 0.5元，比一年前下降了九成以上。\n"
    "与2024年那轮“跳水式”降价不同，这一次没有太多发布会和海报。"
)
AIERA = (
    "新智元报道\n编辑：KingHZ 桃子\n【新智元导读】谷歌把Gemini和用户自己的数据接到了一起。"
    "新推出的「个人智能」（Personal Intelligence）功能，"
    "允许Gemini在获得授权后跨Gmail、Google相册、YouTube和搜索记录进行推理，"
    "回答只有「你自己」才知道答案的问题。\nAI助手最大的短板是什么？"
)


def test_bylines_editor_credits_and_daodu_tags_are_stripped() -> None:
    assert strip_credits(KR36, "36kr").startswith("2026年刚开年")
    assert strip_credits("文｜邱晓芬编辑｜苏建勋\n正文。", "36kr") == "正文。"  # glued on one line
    assert strip_credits(AIERA, "aiera").startswith("谷歌把Gemini")
    assert strip_credits("梦晨 发自 凹非寺\n量子位 | 公众号 QbitAI\n正文。", "qbitai") == "正文。"
    assert strip_credits("IT之家 1 月 20 日消息，微软今日宣布更新。", "ithome") == "微软今日宣布更新。"
    assert strip_credits("36氪获悉，阶跃星辰发布Step-R2。", "36kr") == "阶跃星辰发布Step-R2。"


def test_a_sites_own_sign_off_is_cut_and_its_paragraph_kept() -> None:
    """量子位 391187 (the demo mirror's page): "量子位第一时间上手体验。" opens a paragraph of the article's text."""
    body = json.loads(QBITAI_391187.read_text(encoding="utf-8"))["article"]["body"]
    text = strip_credits(body, "qbitai")
    assert "量子位第一时间" not in text and "\n在对话框里输入「帮我点一杯少冰的生椰拿铁" in text
    assert "量子位第一时间" not in summarize(body, "", "qbitai")
    assert strip_credits("量子位第一时间获悉，这句不是署名。", "qbitai") == "量子位第一时间获悉，这句不是署名。"


def test_captions_links_and_sign_offs_are_not_text() -> None:
    body = (
        "第一段正文。\n条件记忆层（右）与标准MoE结构（左）对比，图源：DeepSeek论文\n论文地址：https://arxiv.org/abs/1\n"
        "第二段正文。\n参考链接：\n[1]\n版权所有，未经授权不得转载。"
    )
    assert strip_credits(body) == "第一段正文。\n第二段正文。"


def test_a_prose_line_that_merely_mentions_an_editor_is_kept() -> None:
    line = "编辑：这是一段以冒号开头的正文，讲了很多事情，并不是署名。"
    assert strip_credits(line) == line


def test_wechats_cut_description_gives_way_to_the_body_lead() -> None:
    cut = "谷歌把Gemini和用户自己的数据接到了一起。新推出的「个人智能」（Personal Intelligence）功能，允"
    summary = summarize(AIERA, cut, "aiera")
    assert summary.startswith("谷歌把Gemini和用户自己的数据接到了一起。新推出的")
    assert summary.endswith("问题。") and "允许Gemini" in summary
    assert "导读" not in summary and "编辑" not in summary


def test_short_editor_summary_gives_way_to_a_lead_of_100_to_300_characters() -> None:
    summary = summarize(KR36, "价格不再是唯一的筹码。", "36kr")
    assert summary.startswith("2026年刚开年") and MIN_CHARS <= len(summary) <= MAX_CHARS
    assert ends_sentence(summary) and "邱晓芬" not in summary


def test_a_long_whole_description_is_kept_and_trimmed_by_sentences() -> None:
    description = "这是页面自己的摘要，由编辑撰写，说明了事情的来龙去脉。" * 12
    summary = summarize("正文第一句。", description)
    assert summary == "这是页面自己的摘要，由编辑撰写，说明了事情的来龙去脉。" * 4  # 104 characters, whole sentences


def test_a_sentence_longer_than_300_characters_is_cut_at_a_clause_not_a_word() -> None:
    body = "，".join(["这个句子非常长而且没有句号"] * 40) + "。"
    summary = summarize(body)
    assert len(summary) <= MAX_CHARS and summary.endswith("…")
    assert summary[:-1].endswith("这个句子非常长而且没有句号")


def test_no_text_gives_an_empty_summary() -> None:
    assert summarize("", "") == ""


def test_lead_keeps_whole_sentences_and_paragraph_breaks() -> None:
    body = "新智元报道\n编辑：元宇\n第一段第一句。第一段第二句。\n小标题\n第二段有很多内容，讲了很多事情。" * 3
    out = lead(body, 60)
    assert out.startswith("第一段第一句。") and ends_sentence(out) and len(out) <= 60
    assert "新智元报道" not in out and "小标题" not in out


@needs_shared("fixtures", "pages")
@pytest.mark.parametrize(
    ("module", "path", "source"),
    [
        ("kr36", "36kr.com/p/3919391204415360", "36kr"),
        ("wechat", "mp.weixin.qq.com/s/ZhDXTjv5ciEGOZirqQ6BJA", "aiera"),
        ("ithome", "www.ithome.com/0/992/380.htm", "ithome"),
        ("qbitai", "www.qbitai.com/2026/07/464169.html", "qbitai"),
    ],
)
def test_real_pages_summarise_to_whole_sentences_without_credits(module: str, path: str, source: str) -> None:
    import importlib

    from crawler.normalize import normalize_article

    raw = (SHARED / path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    url = f"https://{path}"
    item = importlib.import_module(f"crawler.pages.{module}").parse_article(text, url)
    doc = normalize_article(item, fetched_at=datetime(2026, 9, 1, tzinfo=UTC))
    summary = summarize(doc["body"], doc["summary"], source)
    assert summary and ends_sentence(summary) and len(summary) <= MAX_CHARS
    for credit in ("IT之家 8 月 20 日消息", "版权所有", "参考链接", "编辑｜", "文｜"):
        assert credit not in summary


# The demo mirror's 量子位 pages open on a teaser; the news is the next sentence.
HOOKS = {
    "391187": ("千问App，开始「办事」了。", "1月19日，阿里巴巴宣布千问App全面接入淘宝"),
    "391150": (
        "人形机器人的年度出货榜单出炉了。",
        "市场研究机构Omdia最新发布的报告显示，2025年全球人形机器人出货量约1.3万台",
    ),
    "391204": ("DeepSeek又在春节前放出了新论文。", "这次的主角是一种名为「条件记忆层」的新结构"),
    "390988": ("CES刚结束不到两周，英伟达又有新动作。", "1月19日，英伟达宣布Vera Rubin平台已进入全面量产"),
}


@pytest.mark.parametrize("page", list(HOOKS))
def test_a_lead_starts_with_the_news_not_a_hook(page: str) -> None:
    hook, news = HOOKS[page]
    article = json.loads((QBITAI / f"{page}.html.expected.json").read_text(encoding="utf-8"))["article"]
    assert article["body"].startswith(hook + "\n") and is_hook(hook)
    summary = summarize(article["body"], article["summary"], "qbitai")
    assert summary.startswith(news) and hook not in summary and ends_sentence(summary)
    assert news_sentence(f"{hook}{news}。").startswith(news)


@pytest.mark.parametrize(
    "sentence",
    [
        "谷歌把Gemini和用户自己的数据接到了一起。",  # names and an action: news, though short and without a figure
        "2026年刚开年，国内大模型厂商又一次集体调价。",  # a figure
        "百度发布文心5.0。",
        "月之暗面正式发布新一代基座模型 Kimi K3。",
        "这一次，中国厂商的份额将继续保持在八成以上，榜单格局基本稳定下来了。",  # long
    ],
)
def test_news_sentences_are_not_hooks(sentence: str) -> None:
    assert not is_hook(sentence)
    assert news_sentence(sentence + "第二句。") == sentence


def test_a_text_of_hooks_alone_keeps_its_first() -> None:
    assert news_sentence("榜单出炉了。又有新动作了。") == "榜单出炉了。"
    assert summarize("榜单出炉了。") == "榜单出炉了。"
