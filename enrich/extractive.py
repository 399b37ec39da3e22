"""Extractive commentary without an LLM: key points labelled "entity + action", and a 今日摘要 of whole sentences.

Everything here is the articles' own text, selected and trimmed, never rewritten: a label is a
name that occurs in its sentence joined to a verb that occurs there too (``文心5.0 发布``), and
the overview is one sentence (or its leading clauses) per story. No jieba: the names are the
story's stored keywords and the Latin product names and 「quoted」 names of the sentence.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from crawler.summary import ends_sentence, prose_sentences, sentences, without_hooks

WORDS_FILE = Path(__file__).parent / "data" / "keyphrases.toml"
LABEL_CHARS = 16
POINTS = 3
OVERVIEW_STORIES = 5
OVERVIEW_CHARS = 60  # a longer first sentence is trimmed to its leading clauses

# Model and product names: GLM-4.7-Flash, SWE-bench Verified, Kimi K3, Qwen3-TTS, HY-World 1.5.
_LATIN_NAME = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-.+/][A-Za-z0-9]+)*(?: (?:[A-Z0-9][A-Za-z0-9.+-]*))*(?![A-Za-z0-9])"
)
_QUOTED = re.compile(r"[「“《]([^」”》]{2,12})[」”》]")
_NUMBER = re.compile(
    r"^\s*(?:了|至|到|超|超过|约|近|逾|达)?\s*([0-9][0-9.,]*\s*(?:%|倍|亿|万|千|百|个百分点|美元|元|台|人|次|家|款|项|颗|名)+)"
)
# A version right after a name belongs to it: 文心 5.0, YOYO 智能体 3.0.
_VERSION = re.compile(r"\s?[0-9]+(?:\.[0-9]+)+|\s?[0-9]+(?![0-9.]*\s*[年月日号亿万千百%倍个款台家人次元])")
_CLAUSE_END = re.compile(r"[，,；;：:]")
_LEADING_TIME = re.compile(
    r"^(?:\d{1,2}\s*月\s*\d{1,2}\s*日|近日|日前|今日|今天|昨日|昨天|本周|周[一二三四五六日])\s*[，,]\s*"
)


@dataclass(frozen=True)
class Words:
    actions: tuple[str, ...]  # longest first
    reporting: frozenset[str]
    generic: frozenset[str]  # lower-cased


@cache
def load_words(path: Path = WORDS_FILE) -> Words:
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    actions = sorted(set(table["actions"]) | set(table["reporting"]), key=lambda w: (-len(w), w))
    return Words(tuple(actions), frozenset(table["reporting"]), frozenset(g.lower() for g in table["generic"]))


Span = tuple[int, int, str]


def _names(sentence: str, keywords: Sequence[str], words: Words) -> list[Span]:
    """(start, end, name) of the keywords, Latin names and quoted names in the sentence: no overlaps,
    adjacent ones joined (文心 + 助手 -> 文心助手), generic words and action words left out."""
    found: list[Span] = []
    for match in _LATIN_NAME.finditer(sentence):
        name = match.group().strip()
        if len(name) >= 2:
            found.append((match.start(), match.start() + len(name), name))
    for match in _QUOTED.finditer(sentence):
        found.append((match.start(1), match.end(1), match.group(1)))
    lowered = sentence.lower()
    for keyword in keywords:
        start = lowered.find(keyword.lower())
        if len(keyword) >= 2 and start >= 0 and keyword not in words.actions:
            found.append((start, start + len(keyword), sentence[start : start + len(keyword)]))
    found = [_with_version(sentence, span) for span in found]
    kept: list[Span] = []
    for span in sorted(found, key=lambda s: (-(s[1] - s[0]), s[0])):  # longest first, then earliest
        if span[2].lower() not in words.generic and all(span[1] <= k[0] or span[0] >= k[1] for k in kept):
            kept.append(span)
    joined: list[Span] = []
    for span in sorted(kept):
        if joined and joined[-1][1] == span[0]:
            joined[-1] = (joined[-1][0], span[1], sentence[joined[-1][0] : span[1]])
        else:
            joined.append(span)
    return joined


def _with_version(sentence: str, span: Span) -> Span:
    version = _VERSION.match(sentence, span[1])
    if version is None or span[2][-1:].isdigit():
        return span
    return (span[0], version.end(), sentence[span[0] : version.end()])


def _actions(sentence: str, words: Words) -> list[Span]:
    """(start, end, verb) of the action words in the sentence, longest match at each position."""
    found: list[Span] = []
    i = 0
    while i < len(sentence):
        verb = next((w for w in words.actions if sentence.startswith(w, i)), None)
        if verb is None:
            i += 1
            continue
        found.append((i, i + len(verb), verb))
        i += len(verb)
    return found


def _join(left: str, right: str) -> str:
    """Two parts of a label: a space where a Latin or digit character meets the other part."""
    if not left or not right:
        return left or right
    latin = re.compile(r"[A-Za-z0-9%]")
    return f"{left} {right}" if latin.match(left[-1]) or latin.match(right[0]) else left + right


def key_phrase(sentence: str, keywords: Sequence[str] = (), title: str = "") -> str:
    """A label for a sentence: the name nearest its main action, and that action (``文心5.0 发布``).

    The main action is the first action word that is not a reporting word (宣布, 表示) and not
    inside a name. Without one, the label is the sentence's most salient name (one in ``title``
    first); with no name at all it is "".
    """
    words = load_words()
    names = _names(sentence, keywords, words)
    if not names:
        return ""
    inside = [a for a in _actions(sentence, words) if not any(n[0] <= a[0] < n[1] for n in names)]
    main = next((a for a in inside if a[2] not in words.reporting), None)
    salient = next((n for n in names if n[2].lower() in title.lower()), names[0])
    if main is None:
        return salient[2]
    start, end, verb = main
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, start)), default=0)
    before = [n for n in names if clause_start <= n[0] and n[1] <= start]
    after = [n for n in names if end <= n[0] <= end + 12]
    number = _NUMBER.match(sentence[end:])
    action = verb + (number.group(1).strip() if number else "")
    if before and after and len(_join(_join(before[-1][2], action), after[0][2])) <= LABEL_CHARS:
        return _join(_join(before[-1][2], action), after[0][2])  # 百度发布文心5.0
    if before:
        entity, label = before[-1], _join(before[-1][2], action)
    elif after:
        entity, label = after[0], _join(action, after[0][2])
    else:  # the action's clause names nobody: the story's name alone, not a claim about who acted
        return salient[2]
    if len(label) > LABEL_CHARS:  # too long with the figure or the object: the name alone, never cut
        label = entity[2]
    return label


def key_points(body: str, keywords: Sequence[str], title: str = "", *, limit: int = POINTS) -> list[tuple[str, str]]:
    """Up to ``limit`` (label, sentence) pairs: whole sentences of the body that carry the most keywords, in order."""
    candidates = [s for s in prose_sentences(body)[:15] if ends_sentence(s) and 10 <= len(s) <= 120]
    lowered = [k.lower() for k in keywords]
    scored = [(sum(k in s.lower() for k in lowered), -n, s) for n, s in enumerate(candidates)]
    chosen: list[tuple[int, str, str]] = []
    for hits, neg_index, sentence in sorted(scored, reverse=True):
        if hits == 0 or len(chosen) == limit:
            break
        label = key_phrase(sentence, keywords, title)
        if label and label not in {c[1] for c in chosen}:
            chosen.append((-neg_index, label, sentence))
    return [(label, sentence) for _, label, sentence in sorted(chosen)]


def overview_sentence(summary: str, *, limit: int = OVERVIEW_CHARS) -> str:
    """One story as a sentence of the 今日摘要: its summary's first sentence, or that sentence's leading clauses."""
    first = next((s for s in without_hooks(sentences(summary)) if ends_sentence(s)), "")
    first = _LEADING_TIME.sub("", first)
    if len(first) <= limit:
        return first
    cut = max((m.start() for m in _CLAUSE_END.finditer(first, 0, limit)), default=0)
    return first[:cut] + "。" if cut >= 12 else first


def overview(summaries: Iterable[str], *, stories: int = OVERVIEW_STORIES) -> str:
    """The 今日摘要: one sentence per story, most important first, each its own sentence, joined in order."""
    picked: list[str] = []
    for summary in summaries:
        sentence = overview_sentence(summary)
        if sentence and sentence not in picked:
            picked.append(sentence)
        if len(picked) == stories:
            break
    return "".join(picked)
