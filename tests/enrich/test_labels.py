"""Parsing the labelled daily-report archive: both heading layouts, and the skip rules."""

from __future__ import annotations

from pathlib import Path

from enrich.labels import heading_label, parse_archive, parse_day

NUMBERED_DAY = """---
title: 09-15-日报-AI资讯日报
---

## AI资讯日报 2025/9/15

### **今日摘要**

```
摘要不是条目。
```

### **AI产品与功能更新**
1.  **阿里云**近日推出了一款**语音合成模型Qwen-TTS**，支持多种方言。
    <br/> ![图](https://example.com/a.avif) <br/>
    [更多详情](https://qwenlm.github.io/zh/blog/qwen-tts/)
2.  谷歌 **Gemini** 上线"定时任务”功能，用户可以用自然语言设定任务。

### 前沿研究
1. 研究者提出 **UQ** 基准，根据[这篇论文（AI资讯）](https://arxiv.org/abs/2508.17580)，模型成绩有限。

### 社媒分享
1. 一位开发者在[社交平台（AI资讯）](https://x.com/a/status/1)吐槽开源TTS效果。

---

## **AI资讯日报语音版**
| 🎙️ **小宇宙** |
"""

BOLD_TITLE_DAY = """## 爱窝啦 AI 日报 2025/12/18

# 《今日全量快讯清单》

1. **ConvertX开源文件转换器** - 不在生成器标题下 - [来源](https://github.com/C4illin/ConvertX)

# 《分类深度解读》

## **产品与功能更新**

**🔥 谷歌重磅发布Gemini 3 Flash！**

谷歌今天正式发布了[Gemini 3 Flash(AI资讯)](https://x.com/op7418/status/2001323867319746844)，性能提升。

**📱 腾讯混元世界模型1.5上线**

输入文字或图片就能生成互动世界。

---

> 💡 广告

## **行业展望与社会影响**

**💼 某公司完成新一轮融资**

本轮融资由多家机构领投。
"""

TOP10_DAY = """## 爱窝啦 AI 日报 2025/12/20

## **🔥 必看 TOP 10 (图文深度)**

### **1. [字节跳动：我也想低调](https://readhub.cn/topic/8pDEnmgvUxZ)**
**What：** 内部邮件。

### **产品与功能更新**
本类今日重点已在 TOP10 展开。
"""


def test_heading_label_strips_prefix_and_bold() -> None:
    assert heading_label("**AI前沿研究**") == "前沿研究"
    assert heading_label("开源TOP项目") == "开源TOP项目"
    assert heading_label("**今日摘要**") is None


def test_numbered_layout_items_headings_and_links() -> None:
    items, reason = parse_day(NUMBERED_DAY, "2025-09-15")
    assert reason is None
    assert [item.heading for item in items] == ["产品与功能更新", "产品与功能更新", "前沿研究", "社媒分享"]
    first = items[0]
    assert first.body.startswith("阿里云近日推出了一款语音合成模型Qwen-TTS")
    assert "avif" not in first.body and "<br/>" not in first.body
    assert first.links == ("https://qwenlm.github.io/zh/blog/qwen-tts/",)
    assert first.title == "阿里云近日推出了一款语音合成模型Qwen-TTS，支持多种方言"
    # The generator's "(AI资讯)" link tag is dropped, the link text kept.
    assert "这篇论文，模型成绩有限" in items[2].body
    assert all("摘要不是条目" not in item.body for item in items)


def test_bold_title_layout() -> None:
    items, reason = parse_day(BOLD_TITLE_DAY, "2025-12-18")
    assert reason is None
    assert [(item.heading, item.title) for item in items] == [
        ("产品与功能更新", "🔥 谷歌重磅发布Gemini 3 Flash！"),
        ("产品与功能更新", "📱 腾讯混元世界模型1.5上线"),
        ("行业展望与社会影响", "💼 某公司完成新一轮融资"),
    ]
    assert items[0].body == "谷歌今天正式发布了Gemini 3 Flash，性能提升。"
    assert items[0].links == ("https://x.com/op7418/status/2001323867319746844",)


def test_top10_layout_is_skipped() -> None:
    assert parse_day(TOP10_DAY, "2025-12-20") == ([], "top10_layout")


def test_day_without_generator_headings_is_skipped() -> None:
    assert parse_day("## AI洞察日报\n\n1. 某条新闻。\n", "2025-06-01") == ([], "no_generator_headings")


def test_parse_archive_reports_skipped_days(tmp_path: Path) -> None:
    (tmp_path / "2025-09-15.md").write_text(NUMBERED_DAY, encoding="utf-8")
    (tmp_path / "2025-12-20.md").write_text(TOP10_DAY, encoding="utf-8")
    archive = parse_archive(tmp_path)
    assert archive.skipped == {"2025-12-20": "top10_layout"}
    assert {item.date for item in archive.items} == {"2025-09-15"}
