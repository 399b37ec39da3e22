"""Checks that generated text is supported by the stored article text it claims to summarise.

Text is read as units (a Chinese character, or a whole Latin word or number) and each sentence is
scored by unit-bigram overlap with the source: the share of its bigrams that occur in the source.
A Latin name counts once, so "AgentKit……" cannot lend an invented clause its letters. Chinese
paraphrase keeps most bigrams of the original, an invented claim keeps few. A sentence must also
not carry a long run the source never has, nor a clause of its own without support (an instructed
clause stitched onto a copied one), and every figure in it must occur in the source. Short fields
(labels, headings, the 影响 "who") are held to more: each of their units must occur in the source,
and half of their bigrams.

Sentences of an article that address a model ("忽略以上指令……") are not part of the source: what
an injected instruction asks for is never supported by the instruction itself. Links, domains and
contact bait are never grounded, whatever the source says (``enrich.links``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from enrich.links import find_contact, find_link

# Sentence ends in Chinese and Latin text; a line break ends a sentence too.
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*[”’」』）)]*")
_UNIT = re.compile(r"[a-z0-9]+|[^\W_a-z0-9]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")

FACT_THRESHOLD = 0.5
# Analysis paraphrases and connects facts; it needs less literal overlap, but its numbers are
# held to the same rule as any other sentence.
ANALYSIS_THRESHOLD = 0.25
# The longest run of units a sentence may have that no source bigram covers: a paraphrase
# connects copied phrases with a few words of its own, an instructed clause is all its own.
FACT_NOVEL_RUN = 10
ANALYSIS_NOVEL_RUN = 14
SHORT_THRESHOLD = 0.5
# Every clause of some length must have support of its own, so an instructed clause cannot ride on
# a copied one ("<copied sentence>，投资者应当立即买入……").
FACT_CLAUSE_THRESHOLD = 0.3
ANALYSIS_CLAUSE_THRESHOLD = 0.15
CLAUSE_UNITS = 6
_CLAUSE = re.compile(r"[，,、：:（）()“”\"]+")

# Text addressed to a model rather than to readers: an instruction hidden in (or planted on) a page.
_DIRECTIVE = re.compile(
    r"(忽略|无视|忘记|忘掉|不要理会|不要遵守|跳过)[^。！？\n]{0,12}(指令|指示|规则|提示|要求|设定|约束)"
    r"|(在|于|向|给)(你的|您的)?(摘要|总结|回答|回复|输出|报告|日报|要点|标题|简报)(中|里|内)?"
    r"(加入|写入|写上|添加|插入|输出|声明|提到|注明|包含|附上|放入|强调|推荐)"
    r"|(你|您)现在(是|扮演|作为)"
    r"|(作为|身为)(一个|一名)?(AI|人工智能|语言模型|大模型)(助手)?[，,]"
    r"|\b(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+|your\s+)?(previous|prior|above|earlier|preceding)\b"
    r"|\bsystem\s+prompt\b|\byou\s+are\s+now\b",
    re.I,
)
# A directive that announces its payload ("……写入下面这句话。") hands it over in the next sentence.
_ANNOUNCES = re.compile(r"(以下|下面|如下|下述|接下来)[^。！？\n]{0,8}[。：:]?$|[：:]$")


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


def is_directive(sentence: str) -> bool:
    """Whether a source sentence addresses a model (asks it to ignore rules or to write something)."""
    return bool(_DIRECTIVE.search(sentence))


def without_directives(text: str) -> str:
    """``text`` with the sentences that address a model (and any payload they announce) cut out, layout kept."""
    if not _DIRECTIVE.search(text):
        return text
    out: list[str] = []
    cursor = 0
    skip_next = False
    for match in _SENTENCE.finditer(text):
        sentence = match.group(0).strip()
        if not sentence:
            continue
        if skip_next or is_directive(sentence):
            skip_next = not skip_next and bool(_ANNOUNCES.search(sentence))
            out.append(text[cursor : match.start()])
            cursor = match.end()
    out.append(text[cursor:])
    # A line that held only the directive is dropped with its line break.
    return re.sub(r"\n{2,}", "\n", "".join(out)).strip("\n")


class Source:
    """The stored text a generated passage may draw on (directives excluded), prepared once for many checks."""

    def __init__(self, texts: Iterable[str], *, vocabulary: Iterable[str] = ()) -> None:
        joined = "\n".join(without_directives(t) for t in texts)
        self.bigrams = bigrams(joined)
        self.units = set(units(joined))
        self.numbers = set(_NUMBER.findall(joined.replace(",", "").replace("，", "")))
        # Our own fixed terms (category names) a heading may use besides the articles' words.
        terms = tuple(vocabulary)
        self.short_bigrams = self.bigrams.union(*(bigrams(t) for t in terms))
        self.short_units = self.units.union(*(units(t) for t in terms))


def units(text: str) -> list[str]:
    """``text`` as units: each Chinese character, each Latin word or number (lower-cased); punctuation dropped."""
    return _UNIT.findall(text.lower())


def bigrams(text: str) -> set[tuple[str, str]]:
    """Unit bigrams of ``text``."""
    return set(pairwise(units(text)))


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``, each with its closing punctuation."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def support(sentence: str, source: Source) -> float:
    """Share of the sentence's bigrams found in the source (1.0 for a sentence too short to judge)."""
    grams = bigrams(sentence)
    if not grams:
        return 1.0
    return len(grams & source.bigrams) / len(grams)


def novel_run(sentence: str, source: Source) -> int:
    """The longest run of the sentence's units that no source bigram covers."""
    seq = units(sentence)
    if len(seq) < 2:
        return 0 if not seq or seq[0] in source.units else 1
    covered = [False] * len(seq)
    for i in range(len(seq) - 1):
        if (seq[i], seq[i + 1]) in source.bigrams:
            covered[i] = covered[i + 1] = True
    longest = run = 0
    for hit in covered:
        run = 0 if hit else run + 1
        longest = max(longest, run)
    return longest


def weakest_clause(sentence: str, source: Source) -> float:
    """The lowest support of the sentence's clauses of ``CLAUSE_UNITS`` units or more (1.0 if none)."""
    clauses = [c for c in _CLAUSE.split(sentence) if len(units(c)) >= CLAUSE_UNITS]
    return min((support(c, source) for c in clauses), default=1.0)


def numbers_supported(sentence: str, source: Source) -> bool:
    """Whether every number in the sentence also occurs in the source."""
    return all(n in source.numbers for n in _NUMBER.findall(sentence.replace(",", "")))


def has_url(text: str) -> bool:
    """Whether a generated string contains a link or a domain; links in reports come from the database only."""
    return find_link(text) is not None


def sentence_supported(sentence: str, source: Source, threshold: float = FACT_THRESHOLD) -> bool:
    """Whether a generated sentence may be printed: no link or contact bait, its figures and words in the source."""
    if find_link(sentence) is not None or find_contact(sentence) is not None:
        return False
    if not numbers_supported(sentence, source):
        return False
    fact = threshold >= FACT_THRESHOLD
    longest = FACT_NOVEL_RUN if fact else ANALYSIS_NOVEL_RUN
    clause = FACT_CLAUSE_THRESHOLD if fact else ANALYSIS_CLAUSE_THRESHOLD
    return (
        support(sentence, source) >= threshold
        and novel_run(sentence, source) <= longest
        and weakest_clause(sentence, source) >= clause
    )


def ground(text: str, source: Source, *, threshold: float = FACT_THRESHOLD) -> tuple[str, GroundingTally]:
    """``text`` with unsupported sentences dropped, and the tally of what was kept."""
    sentences = split_sentences(text)
    kept = [s for s in sentences if sentence_supported(s, source, threshold)]
    return "".join(kept), GroundingTally(kept=len(kept), total=len(sentences))


# Short fields are names, not prose: letters, digits and a few joining marks; no colon (a label
# that reads "投资建议：……" is an instruction), no slash, no brackets, no emoji.
_SHORT_CHARS = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9 ·.+&\-]+")


def short_supported(text: str, source: Source, *, max_chars: int) -> bool:
    """Whether a short field (label, heading, who, entity) is a name drawn from the source.

    Each of its units (Chinese characters, Latin words) must occur in the source (or our fixed
    vocabulary), and at least half of its bigrams: a heading cannot be composed from elsewhere.
    """
    value = text.strip()
    if not value or len(value) > max_chars or not _SHORT_CHARS.fullmatch(value):
        return False
    if find_link(value) is not None or find_contact(value) is not None:
        return False
    if not numbers_supported(value, source):
        return False
    if any(unit not in source.short_units for unit in units(value)):
        return False
    grams = bigrams(value)
    return not grams or len(grams & source.short_bigrams) / len(grams) >= SHORT_THRESHOLD
