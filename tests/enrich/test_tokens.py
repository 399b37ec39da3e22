from __future__ import annotations

from pathlib import Path
from typing import Any

import jieba

from enrich.tokens import DocTokens, TokenizerKit, tokenize_docs

# Real annotated pages far from the AI dictionary (encyclopedias, forums), read in place when ../shared is there.
EXTRACTION = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "extraction" / "magic-html-zh"


def test_dictionary_terms_survive_as_one_token(kit: TokenizerKit) -> None:
    tokens = kit.tokenize("DeepSeek-V3发布，大模型进入多模态与具身智能时代；Qwen3和文心5.0同日更新MoE架构。")
    for term in ("deepseek-v3", "大模型", "多模态", "具身智能", "qwen3", "文心5.0", "moe"):
        assert term in tokens
    assert "大" not in tokens and "模型" not in tokens


def test_stop_words_punctuation_and_single_characters_are_dropped(kit: TokenizerKit) -> None:
    tokens = kit.tokenize("我们认为，这是一个非常重要的发布！OpenAI 的 GPT-5 已经上线。")
    assert tokens == ["重要", "发布", "openai", "gpt-5", "上线"]
    assert not {"我们", "认为", "这", "是", "一个", "非常", "的", "，", "！", " ", "-", "5"} & set(tokens)
    assert all(t == t.lower() for t in tokens)


def test_rjieba_cuts_the_words_python_jieba_cuts(kit: TokenizerKit, articles: list[dict[str, Any]]) -> None:
    reference = jieba.Tokenizer()
    reference.initialize()
    for term in kit.terms:
        reference.add_word(term)
    texts = [f"{a['title']}\n{a['body']}".lower() for a in articles]
    texts.append("gpt-4o与claude 3.5 sonnet对比：a/b测试、x86和arm64，①②③ 2026年1月20日 12:30。")
    texts += [p.read_text(encoding="utf-8").lower() for p in sorted(EXTRACTION.glob("*.gold.txt"))]
    for text in texts:
        assert kit.cut(text) == list(reference.cut(text, HMM=False))


def test_process_pool_gives_the_same_tokens(kit: TokenizerKit, articles: list[dict[str, Any]]) -> None:
    texts = [(a["title"], a["body"]) for a in articles] * 3
    pooled = tokenize_docs(kit, texts, processes=2, pool_min=1)
    assert pooled == tokenize_docs(kit, texts, processes=1)
    assert isinstance(pooled[0], DocTokens) and "deepseek-v3.2" in pooled[0].distinct() + pooled[1].distinct()
