"""jieba (Python) against jieba-rs (``rjieba``): the same words? how much faster? Both with the user dictionary.

    .venv/bin/python -m bench.tokenizer_agreement                 # 10,000 corpus articles + the extraction pages
    .venv/bin/python -m bench.tokenizer_agreement --articles 2000

Texts: the first N articles of ``bench.corpus.event_corpus`` (title + body) and the 49 real pages' annotated
text of ``../shared/fixtures/extraction`` (encyclopedias, forums, news: words far from the AI dictionary).
Reference: ``jieba.Tokenizer().cut(text, HMM=False)`` after ``add_word`` of every user-dictionary term, which is
what aidaily stored before (``enrich.tokens`` then ran a pure-Python copy of that loop). Candidate:
``enrich.tokens.TokenizerKit.cut`` (rjieba, the same terms added without a frequency). Agreement is counted on
the raw cut (every word, punctuation included) and on the stored tokens (after the stop-word and length
filter); every differing word is printed with its context. Speed: seconds for the same texts, one process.
"""

from __future__ import annotations

import argparse
import difflib
import time
from collections import Counter
from pathlib import Path

import jieba

from bench.corpus import EXTRACTION, event_corpus
from enrich.tokens import TokenizerKit


def reference_cutter(kit: TokenizerKit) -> jieba.Tokenizer:
    """Python jieba with the same user dictionary, as the stored tokens were cut before."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for term in kit.terms:
        tokenizer.add_word(term)
    return tokenizer


def compare(name: str, texts: list[str], kit: TokenizerKit, reference: jieba.Tokenizer) -> list[str]:
    """Print agreement and speed for ``texts``; return one line per differing stretch of words."""
    lowered = [t.lower() for t in texts]
    clock = time.perf_counter()
    ref = [list(reference.cut(t, HMM=False)) for t in lowered]
    ref_s = time.perf_counter() - clock
    clock = time.perf_counter()
    new = [kit.cut(t) for t in lowered]
    new_s = time.perf_counter() - clock
    clock = time.perf_counter()
    for t in texts:
        kit.tokenize(t)
    tokenize_s = time.perf_counter() - clock
    stop = kit.stopwords

    def stored(words: list[str]) -> list[str]:
        return [w for w in words if len(w) > 1 and w not in stop and any(c.isalnum() for c in w)]

    same_cut = sum(a == b for a, b in zip(ref, new, strict=True))
    same_tokens = sum(stored(a) == stored(b) for a, b in zip(ref, new, strict=True))
    words = sum(len(a) for a in ref)
    differing: list[str] = []
    diff_words = 0
    for text, a, b in zip(lowered, ref, new, strict=True):
        if a == b:
            continue
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op != "equal":
                diff_words += i2 - i1
                at = len("".join(a[:i1]))
                differing.append(f"{name}: jieba {a[i1:i2]} / rjieba {b[j1:j2]} in …{text[max(0, at - 12) : at + 20]}…")
    chars = sum(len(t) for t in texts)
    print(f"{name}: {len(texts):,} texts, {chars:,} characters, {words:,} jieba words")
    n = len(texts)
    print(f"  identical cut: {same_cut:,}/{n:,} texts; identical stored tokens: {same_tokens:,}/{n:,}")
    print(f"  words in differing stretches: {diff_words:,} of {words:,} ({diff_words / max(words, 1):.4%})")
    print(
        f"  seconds: jieba cut {ref_s:.2f}, rjieba cut {new_s:.2f} ({ref_s / max(new_s, 1e-9):.1f}x), "
        f"TokenizerKit.tokenize (rjieba + filter) {tokenize_s:.2f}; {chars / max(new_s, 1e-9) / 1e6:.1f}M chars/s"
    )
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    kit = TokenizerKit.build()
    reference = reference_cutter(kit)
    docs = event_corpus(args.articles)
    differing = compare("corpus", [f"{d['title']}\n{d['body']}" for d in docs], kit, reference)
    pages = [p.read_text(encoding="utf-8") for p in sorted(Path(EXTRACTION).glob("*.gold.txt"))]
    differing += compare("extraction pages", pages, kit, reference)
    kinds = Counter(line.split(":", 1)[0] for line in differing)
    print(f"\n{len(differing)} differing stretches ({dict(kinds)})")
    for line in differing[:40]:
        print(" ", line)


if __name__ == "__main__":
    main()
