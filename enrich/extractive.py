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
CLAUSE_CHARS = 24  # a whole clause may read longer than an entity + action: it is not cut
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
_UNIT = r"(?![0-9.]*\s*[年月日号亿万千百%倍个款台家人次元美])"
_VERSION = re.compile(rf"\s?[0-9]+(?:\.[0-9]+)+{_UNIT}|\s?[0-9]+{_UNIT}")
_CLAUSE_END = re.compile(r"[，,；;：:]")
_NARROW = re.compile(r"[A-Za-z0-9.%+\-/ ]")
# A time a sentence opens on: 1 月 20 日，近日，本周，….
_WHEN = r"\d{1,2}\s*月\s*\d{1,2}\s*日|近日|日前|今日|今天|昨日|昨天|本周"
# What opens a clause but is not its news: a date, a connective, a topic (价格方面，对用户来说，), a source.
_OPENER = re.compile(
    rf"^(?:(?:{_WHEN}|此外|同时|与此同时|另外|[^，,]{{1,4}}方面"
    r"|据[^，,]{1,12}(?:报道|消息|显示)|对[^，,]{1,10}(?:来说|而言))\s*(?:[，,]\s*|$)|其中\s*|而\s*)+"
)
_ASIDE = re.compile(r"[（(][^）)]*[）)]")
# A clause that opens on a pronoun or a bare verb has its subject elsewhere: 该模型采用…, 将从…转向…; one that
# opens on a preposition is a setting, not news: 在代码基准…上, 较上一代提升….
_SUBJECTLESS = re.compile(r"^(?:该|其|它|将|可以|可|也|还|已|正|并|而|就|会|能)")
_SETTING = re.compile(r"^(?:在|较|从|比|与|随着|通过|基于)")
# "Token 0.5元": a number before a unit is a quantity, not the last word of a Latin name.
_QUANTITY = re.compile(r"(?:\s+[0-9][0-9.,]*)+$")
_UNIT_AFTER = re.compile(r"\s*[年月日号亿万千百%倍个款台家人次元美]")
# Where a label may stop: before a word that joins or adds (的, 和, 、, 将, 为, an opening quote); not 在, which
# would leave a verb without its object (VideoThinker 让模型).
_CUT_BEFORE = re.compile(r"[的和与及或并、将为是「“《]")
_LEADING_TIME = re.compile(rf"^(?:{_WHEN}|周[一二三四五六日])\s*[，,]\s*")


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
        name = _QUANTITY.sub("", match.group().strip()) if _UNIT_AFTER.match(sentence, match.end()) else match.group()
        name = name.strip()
        if len(name) >= 2:
            found.append((match.start(), match.start() + len(name), name))
    for match in _QUOTED.finditer(sentence):
        found.append((match.start(1), match.end(1), match.group(1)))
    lowered = sentence.lower()
    for keyword in keywords:
        start = lowered.find(keyword.lower())
        if len(keyword) >= 2 and start >= 0 and keyword not in words.actions:
            found.append((start, start + len(keyword), sentence[start : start + len(keyword)]))
    # Generic before a version is attached: "Token 0.5" is a price, not a name.
    found = [_with_version(sentence, span) for span in found if span[2].lower() not in words.generic]
    kept: list[Span] = []
    for span in sorted(found, key=lambda s: (-(s[1] - s[0]), s[0])):  # longest first, then earliest
        if all(span[1] <= k[0] or span[0] >= k[1] for k in kept):
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


def width(text: str) -> float:
    """How long a label reads: a Latin letter, digit or space is half a Chinese character."""
    return sum(0.5 if _NARROW.match(c) else 1.0 for c in text)


def _fits(label: str, limit: float = LABEL_CHARS) -> bool:
    return width(label) <= limit


def key_phrase(sentence: str, keywords: Sequence[str] = (), title: str = "") -> str:
    """A label for a sentence: the name nearest its main action, and that action (``文心5.0 发布``).

    The main action is the first action word that is not a reporting word (宣布, 表示) and not
    inside a name. Without one, or when the action's clause names nobody, the label is the clause
    of the sentence's most salient name (one in ``title`` first), trimmed at a word boundary
    (``MoE 架构``); with no name at all it is "".
    """
    words = load_words()
    names = _names(sentence, keywords, words)
    if not names:
        return ""
    inside = [a for a in _actions(sentence, words) if not any(n[0] <= a[0] < n[1] for n in names)]
    main = next((a for a in inside if a[2] not in words.reporting), None)
    salient = next((n for n in names if n[2].lower() in title.lower()), names[0])
    if main is None:
        return clause_label(sentence, salient)
    start, end, verb = main
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, start)), default=0)
    before = [n for n in names if clause_start <= n[0] and n[1] <= start]
    after = [n for n in names if end <= n[0] <= end + 12]
    number = _NUMBER.match(sentence[end:])
    action = verb + (number.group(1).strip() if number else "")
    if before and after and _fits(_join(_join(before[-1][2], action), after[0][2])):
        return _join(_join(before[-1][2], action), after[0][2])  # 百度发布文心5.0
    if before:
        entity, labels = before[-1], [_join(before[-1][2], action), _join(before[-1][2], verb)]
    elif after:
        entity, labels = after[0], [_join(action, after[0][2]), _join(verb, after[0][2])]
    else:  # the action's clause names nobody: that clause as it reads (新版本支持 50 多款应用), or the name's own
        own = _clause(sentence, start, end)
        return own if _readable(own, words) else clause_label(sentence, salient)
    # Too long with the figure: without it; too long still: the entity's clause, never cut inside a word.
    return next((label for label in labels if _fits(label)), None) or clause_label(sentence, entity)


def _clause(sentence: str, start: int, end: int) -> str:
    """The clause around ``sentence[start:end]``, without its opener (近日，价格方面，), asides or final stop."""
    begin = max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, start)), default=0)
    stop = next((m.start() for m in _CLAUSE_END.finditer(sentence, end)), len(sentence))
    return _ASIDE.sub("", _OPENER.sub("", sentence[begin:stop].strip())).strip().rstrip("。！？!?")


def _readable(clause: str, words: Words) -> bool:
    """A clause a person could print as a label: short, with its subject, not ending on 表示 or 宣布."""
    said = any(clause.endswith(w) for w in words.reporting)
    bare = _SUBJECTLESS.match(clause) or _SETTING.match(clause)
    return len(clause) > 2 and _fits(clause, CLAUSE_CHARS) and not bare and not said


def clause_label(sentence: str, name: Span) -> str:
    """The clause that holds ``name``, as a person would write it: openers (近日，价格方面，) and asides in
    brackets dropped, else from the name on, cut before a joining word (的, 和, 「) to fit; "" when only the
    bare name would be left (a keyword alone is no key point)."""
    words = load_words()
    clause = _clause(sentence, name[0], name[1])
    if len(clause) > len(name[2]) and _readable(clause, words):
        return clause
    if name[2] not in clause or _SETTING.match(clause):
        return ""  # the name is in the clause's opener (对应用公司来说，) or its setting (在…上): no news
    if name[0] and sentence[name[0] - 1] in "「“《":
        return ""  # a quoted phrase mid-clause (把过去“舍不得用”的…) is no subject to start a label with
    stop = next((m.start() for m in _CLAUSE_END.finditer(sentence, name[1])), len(sentence))
    tail = _ASIDE.sub("", sentence[name[0] : stop]).strip().rstrip("。！？!?")
    least = len(name[2]) + 2  # the name and at least two more characters
    if len(tail) >= least and _readable(tail, words):
        return tail
    cuts = [m.start() for m in _CUT_BEFORE.finditer(tail, least)]
    return next((tail[:c].strip() for c in reversed(cuts) if _fits(tail[:c].strip())), "")


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
