"""Checks that generated text is supported by the stored article text it claims to summarise.

Each sentence is scored by character-bigram overlap with the source: the share of the
sentence's bigrams that occur in the source. Chinese paraphrase keeps most bigrams of the
original, an invented claim keeps few. Numbers are checked on their own: a sentence with a
figure that the source does not contain is dropped whatever its overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Sentence ends in Chinese and Latin text; a line break ends a sentence too.
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*[”’」』）)]*")
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_URL = re.compile(r"https?://|www\.|\]\(|(?<![a-z0-9-])[a-z0-9-]+\.(?:com|cn|net|org|ai|io)(?![a-z0-9])", re.I)

FACT_THRESHOLD = 0.5
# Analysis paraphrases and connects facts; it needs less literal overlap, but its numbers are
# held to the same rule as any other sentence.
ANALYSIS_THRESHOLD = 0.25


@dataclass
class GroundingTally:
    """How many generated sentences were checked and how many were kept."""

    kept: int = 0
    total: int = 0

    def add(self, other: GroundingTally) -> None:
        self.kept += other.kept
        self.total += other.total

    @property
    def share(self) -> float | None:
        return self.kept / self.total if self.total else None


class Source:
    """The stored text a generated passage may draw on, prepared once for many checks."""

    def __init__(self, texts: Iterable[str]) -> None:
        joined = "\n".join(texts)
        self.bigrams = bigrams(joined)
        self.numbers = set(_NUMBER.findall(joined.replace(",", "").replace("，", "")))


def bigrams(text: str) -> set[str]:
    """Character bigrams of ``text`` with spaces and punctuation removed, Latin lower-cased."""
    flat = _NOISE.sub("", text.lower())
    return {flat[i : i + 2] for i in range(len(flat) - 1)}


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``, each with its closing punctuation."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def support(sentence: str, source: Source) -> float:
    """Share of the sentence's bigrams found in the source (1.0 for a sentence too short to judge)."""
    grams = bigrams(sentence)
    if not grams:
        return 1.0
    return len(grams & source.bigrams) / len(grams)


def numbers_supported(sentence: str, source: Source) -> bool:
    """Whether every number in the sentence also occurs in the source."""
    return all(n in source.numbers for n in _NUMBER.findall(sentence.replace(",", "")))


def has_url(text: str) -> bool:
    """Whether a generated string contains a link or a bare domain; links come from the database only."""
    return bool(_URL.search(text))


def sentence_supported(sentence: str, source: Source, threshold: float = FACT_THRESHOLD) -> bool:
    return not has_url(sentence) and numbers_supported(sentence, source) and support(sentence, source) >= threshold


def ground(text: str, source: Source, *, threshold: float = FACT_THRESHOLD) -> tuple[str, GroundingTally]:
    """``text`` with unsupported sentences dropped, and the tally of what was kept."""
    sentences = split_sentences(text)
    kept = [s for s in sentences if sentence_supported(s, source, threshold)]
    return "".join(kept), GroundingTally(kept=len(kept), total=len(sentences))
