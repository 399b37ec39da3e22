"""Word tokens: jieba's segmentation (jieba-rs through ``rjieba``) with an AI-domain user dictionary and stop words.

``rjieba`` runs jieba's own algorithm and dictionary in Rust: on the enrichment corpus it cuts exactly
the words of Python jieba's ``cut(text, HMM=False)`` (``bench/tokenizer_agreement.py``: every word of 10,000
corpus articles and 49 real pages; ``tests/enrich/test_tokens.py``), 13x faster; so tokens stored by earlier
versions stay valid, and ``TOKENIZER_VERSION`` names what cuts them.
"""

from __future__ import annotations

import multiprocessing
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import rjieba

DATA_DIR = Path(__file__).parent / "data"
USER_DICT = DATA_DIR / "ai_dict.txt"
STOPWORDS = DATA_DIR / "stopwords.txt"

# Which segmenter cut the stored tokens: the words are jieba 0.42's (HMM off) with the user dictionary.
TOKENIZER_VERSION = "jieba-0.42-hmm-off"
# A token must hold a letter, a digit or a CJK character; punctuation and spaces are dropped.
_WORDISH = re.compile(r"[0-9a-z\u4e00-\u9fff]")
# Below this many documents a process pool costs more (starting it, sending tokens back) than it saves.
# With rjieba the pool rarely pays at all: it adds ~60% CPU for the transfer (``bench/enrich_speed.py``).
POOL_MIN_DOCS = 5000


def _read_terms(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def read_dictionary(user_dict: Path = USER_DICT, stopwords: Path = STOPWORDS) -> tuple[tuple[str, ...], frozenset[str]]:
    """The user-dictionary terms and the stop words, lower-cased as the tokenizer uses them."""
    # Text is lower-cased before cutting, so dictionary terms are too (DeepSeek-V3 -> deepseek-v3).
    terms = tuple(t.lower() for t in _read_terms(user_dict))
    return terms, frozenset(t.lower() for t in _read_terms(stopwords))


@dataclass(frozen=True)
class TokenizerKit:
    """One segmenter with the user dictionary loaded, and the stop words: built once, passed in."""

    segmenter: rjieba.Jieba = field(repr=False, compare=False)
    stopwords: frozenset[str]
    terms: tuple[str, ...]
    vocabulary: _Vocabulary = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "vocabulary", _Vocabulary(self.stopwords))

    @classmethod
    def build(cls, user_dict: Path = USER_DICT, stopwords: Path = STOPWORDS) -> TokenizerKit:
        """A fresh segmenter (no module-level state is touched)."""
        return cls.from_terms(*read_dictionary(user_dict, stopwords))

    @classmethod
    def from_terms(cls, terms: tuple[str, ...], stopwords: frozenset[str]) -> TokenizerKit:
        segmenter = rjieba.Jieba()
        for term in terms:
            # No frequency: the one jieba suggests to keep the term whole, as jieba's own add_word does.
            segmenter.add_word(term, None, None)
        return cls(segmenter, stopwords, terms)

    def cut(self, text: str) -> list[str]:
        """Every word jieba cuts from ``text`` (lower-cased), spaces and punctuation included, HMM off."""
        return self.segmenter.cut(text.lower(), False)

    def tokenize(self, text: str) -> list[str]:
        """Tokens of ``text`` in order, repeats kept: lower-cased, no stop words, no one-character tokens."""
        # One dictionary lookup per word (the vocabulary is small) instead of three tests and an intern.
        return list(filter(None, map(self.vocabulary.__getitem__, self.cut(text))))


class _Vocabulary(dict[str, str]):
    """Each word seen, mapped to itself interned when it is a token, else to ""; filled on first sight."""

    def __init__(self, stopwords: frozenset[str]) -> None:
        super().__init__()
        self.stopwords = stopwords

    def __missing__(self, word: str) -> str:
        keep = len(word) > 1 and word not in self.stopwords and _WORDISH.search(word) is not None
        # Interned: 100k articles hold ~25M token references but only ~200k distinct strings.
        token = sys.intern(word) if keep else ""
        self[word] = token
        return token


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
    global _worker_kit
    _worker_kit = kit  # forked workers inherit the loaded segmenter: no dictionary load per worker
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            joined = list(pool.imap(_tokenize_in_worker, texts, chunksize=chunk))
    finally:
        _worker_kit = None
    # Tokens travel as one string per field (pickling millions of small strings costs more than cutting);
    # the vocabulary hands back the interned token for each piece.
    vocabulary = kit.vocabulary.__getitem__
    return [DocTokens(_split(title, vocabulary), _split(body, vocabulary)) for title, body in joined]


# The fork start method hands each pool worker this process's tokenizer.
_worker_kit: TokenizerKit | None = None
# Joins a document's tokens for the trip back from a worker: jieba cuts it out as space, so no token holds it.
_SEP = "\x1f"


def _tokenize_in_worker(text: tuple[str, str]) -> tuple[str, str]:
    if _worker_kit is None:
        raise RuntimeError("tokenizer worker started without a tokenizer")
    return _SEP.join(_worker_kit.tokenize(text[0])), _SEP.join(_worker_kit.tokenize(text[1]))


def _split(joined: str, vocabulary: Callable[[str], str]) -> list[str]:
    return list(map(vocabulary, joined.split(_SEP))) if joined else []


def title_only(kit: TokenizerKit, titles: Iterable[str]) -> list[list[str]]:
    """Title tokens for context articles whose body tokens are already stored."""
    return [kit.tokenize(title) for title in titles]
