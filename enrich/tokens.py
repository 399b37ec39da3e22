"""Word tokens: jieba with an AI-domain user dictionary and a Chinese stop-word list."""

from __future__ import annotations

import multiprocessing
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from math import log
from pathlib import Path

import jieba

DATA_DIR = Path(__file__).parent / "data"
USER_DICT = DATA_DIR / "ai_dict.txt"
STOPWORDS = DATA_DIR / "stopwords.txt"

# A token must hold a letter, a digit or a CJK character; punctuation and spaces are dropped.
_WORDISH = re.compile(r"[0-9a-z\u4e00-\u9fff]")
# Below this many documents a process pool costs more (two jieba dictionary loads) than it saves.
POOL_MIN_DOCS = 2000


def _read_terms(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def read_dictionary(user_dict: Path = USER_DICT, stopwords: Path = STOPWORDS) -> tuple[tuple[str, ...], frozenset[str]]:
    """The user-dictionary terms and the stop words, lower-cased as the tokenizer uses them."""
    # Text is lower-cased before cutting, so dictionary terms are too (DeepSeek-V3 -> deepseek-v3).
    terms = tuple(t.lower() for t in _read_terms(user_dict))
    return terms, frozenset(t.lower() for t in _read_terms(stopwords))


class Segmenter:
    """jieba's ``Tokenizer.cut(text, HMM=False)``, same words, about 1.6x faster.

    jieba builds a DAG of dictionary words per block and then picks the most probable route with a
    generator per character; here both passes are fused into one loop over a precomputed
    word -> log-probability table (prefixes map to None). Ties go to the longer word, as in jieba.
    ``tests/enrich/test_tokens.py`` checks the output equals jieba's on real text.
    """

    def __init__(self, tokenizer: jieba.Tokenizer) -> None:
        tokenizer.check_initialized()
        log_total = log(tokenizer.total)
        self._table: dict[str, float | None] = {
            w: (log(f) - log_total if f else None) for w, f in tokenizer.FREQ.items()
        }
        self._unknown = -log_total  # jieba scores a character outside the dictionary as frequency 1

    def cut(self, text: str) -> list[str]:
        words: list[str] = []
        for block in jieba.re_han_default.split(text):
            if not block:
                continue
            if jieba.re_han_default.match(block):
                words.extend(self._cut_block(block))
                continue
            for part in jieba.re_skip_default.split(block):
                if jieba.re_skip_default.match(part):
                    words.append(part)
                else:
                    words.extend(part)
        return words

    def _cut_block(self, block: str) -> list[str]:
        table, size = self._table, len(block)
        best = [0.0] * (size + 1)
        end = [0] * size
        for k in range(size - 1, -1, -1):
            score: float | None = None
            stop = k
            i = k
            frag = block[k]
            while True:
                value = table.get(frag, _ABSENT)
                if value is _ABSENT:
                    break
                if value is not None:
                    candidate = value + best[i + 1]  # type: ignore[operator]
                    if score is None or candidate >= score:
                        score, stop = candidate, i
                i += 1
                if i >= size:
                    break
                frag = block[k : i + 1]
            if score is None:
                score, stop = self._unknown + best[k + 1], k
            best[k], end[k] = score, stop
        words: list[str] = []
        latin = ""
        x = 0
        while x < size:
            y = end[x] + 1
            word = block[x:y]
            # Runs of single latin letters and digits are glued back into one word, as jieba does.
            if y - x == 1 and jieba.re_eng.match(word):
                latin += word
            else:
                if latin:
                    words.append(latin)
                    latin = ""
                words.append(word)
            x = y
        if latin:
            words.append(latin)
        return words


_ABSENT = object()


@dataclass(frozen=True)
class TokenizerKit:
    """One jieba tokenizer with the user dictionary loaded, and the stop words: built once, passed in."""

    tokenizer: jieba.Tokenizer
    stopwords: frozenset[str]
    terms: tuple[str, ...]
    segmenter: Segmenter = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segmenter", Segmenter(self.tokenizer))

    @classmethod
    def build(cls, user_dict: Path = USER_DICT, stopwords: Path = STOPWORDS) -> TokenizerKit:
        """A fresh ``jieba.Tokenizer`` (jieba's module-level tokenizer is never touched)."""
        return cls.from_terms(*read_dictionary(user_dict, stopwords))

    @classmethod
    def from_terms(cls, terms: tuple[str, ...], stopwords: frozenset[str]) -> TokenizerKit:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for term in terms:
            tokenizer.add_word(term)
        return cls(tokenizer, stopwords, terms)

    def tokenize(self, text: str) -> list[str]:
        """Tokens of ``text`` in order, repeats kept: lower-cased, no stop words, no one-character tokens."""
        # Interned: 100k articles hold ~25M token references but only ~200k distinct strings.
        return [
            sys.intern(tok)
            for tok in self.segmenter.cut(text.lower())
            if len(tok) > 1 and tok not in self.stopwords and _WORDISH.search(tok)
        ]


@dataclass(frozen=True)
class DocTokens:
    """One article's tokens: title and body separately (the title is weighted in vectors)."""

    title: list[str]
    body: list[str]

    def distinct(self) -> list[str]:
        """Distinct tokens of title and body, in order of first appearance (the stored ``tokens`` field)."""
        return list(dict.fromkeys([*self.title, *self.body]))


def tokenize_doc(kit: TokenizerKit, title: str, body: str) -> DocTokens:
    return DocTokens(kit.tokenize(title), kit.tokenize(body))


def tokenize_docs(
    kit: TokenizerKit, texts: Sequence[tuple[str, str]], *, processes: int = 1, pool_min: int = POOL_MIN_DOCS
) -> list[DocTokens]:
    """Tokens of each ``(title, body)``; with ``processes > 1`` and at least ``pool_min`` texts, in a pool."""
    if processes <= 1 or len(texts) < pool_min:
        return [tokenize_doc(kit, title, body) for title, body in texts]
    chunk = max(64, len(texts) // (processes * 8))
    with multiprocessing.get_context("fork").Pool(
        processes, initializer=_init_worker, initargs=(kit.terms, kit.stopwords)
    ) as pool:
        # A chunk's results are pickled in one go, so its interned tokens arrive as shared strings too.
        return list(pool.imap(_tokenize_in_worker, texts, chunksize=chunk))


# Each pool worker builds its own tokenizer once (jieba objects are not shared across processes).
_worker_kit: TokenizerKit | None = None


def _init_worker(terms: tuple[str, ...], stopwords: frozenset[str]) -> None:
    global _worker_kit
    _worker_kit = TokenizerKit.from_terms(terms, stopwords)


def _tokenize_in_worker(text: tuple[str, str]) -> DocTokens:
    if _worker_kit is None:
        raise RuntimeError("tokenizer worker used before its initializer ran")
    return tokenize_doc(_worker_kit, *text)


def title_only(kit: TokenizerKit, titles: Iterable[str]) -> list[list[str]]:
    """Title tokens for context articles whose body tokens are already stored."""
    return [kit.tokenize(title) for title in titles]
