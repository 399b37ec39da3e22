"""Extractive summaries a reader would keep: the article's own sentences, credits stripped, whole sentences only.

A summary is 100–300 characters that end on a sentence boundary. It is the page's own description
when that is long enough and whole, else the lead of the body. Before either is read, what is not
the article (bylines, datelines, 导读 tags, editor and image credits, sign-offs) is stripped by the
patterns of ``credits.toml``, per source. Pure text functions: the report builds summaries from
stored articles, so archives crawled before this module existed get the same summaries.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CREDITS_FILE = Path(__file__).with_name("credits.toml")
MIN_CHARS = 100
MAX_CHARS = 300
SHORT_OK = 40  # below MIN_CHARS a whole sentence still beats a cut one, down to this length

# A sentence ends at 。！？!? or an ellipsis, with the closing quotes and brackets after it; a Latin
# full stop ends one only before a space or the end (so 4.7, GPT-5.1 and e.g. stay whole).
_SENTENCE = re.compile(r".*?(?:[。！？!?]+|…+|(?<=[A-Za-z0-9)\"'])\.(?=\s|$)|$)[”’」』）)\"'》]*", re.S)
_ENDS = re.compile(r"(?:[。！？!?]|…|(?<=[A-Za-z0-9)\"'])\.)[”’」』）)\"'》]*$")
_CLAUSE = re.compile(r"[，,；;：:、]")
_SPACES = re.compile(r"\s+")
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_LINE_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n\s*|\s*\n\s*(?=[{_CJK}])")
# A hook: a short sentence with no figure that teases instead of telling (千问App，开始「办事」了。, 榜单出炉了。,
# DeepSeek又在春节前放出了新论文。, 英伟达又有新动作。). A lead sentence that carries names and figures is news.
HOOK_CHARS = 24
_FIGURE = re.compile(r"[0-9０-９]")
_TEASES = re.compile(r"了[。！!]$|又")
# A line that starts with a pictograph is a bullet of a 划重点 box, not a paragraph.
_PICTOGRAPH = re.compile("^[\u2190-\u21ff\u2300-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]")


@dataclass(frozen=True)
class Credits:
    """Compiled patterns of one source: lines to drop, line prefixes to cut, lines that end the text."""

    drop: tuple[re.Pattern[str], ...] = ()
    prefix: tuple[re.Pattern[str], ...] = ()
    stop: tuple[re.Pattern[str], ...] = ()

    def __add__(self, other: Credits) -> Credits:
        return Credits(self.drop + other.drop, self.prefix + other.prefix, self.stop + other.stop)


def _compile(table: Mapping[str, Iterable[str]]) -> Credits:
    def patterns(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in table.get(key, ()))

    return Credits(patterns("drop"), patterns("prefix"), patterns("stop"))


@cache
def load_credits(path: Path = CREDITS_FILE) -> dict[str, Credits]:
    """The patterns of every source in ``path``; each source's include the ``default`` ones."""
    tables = tomllib.loads(path.read_text(encoding="utf-8"))
    default = _compile(tables.get("default", {}))
    return {"default": default} | {k: default + _compile(v) for k, v in tables.items() if k != "default"}


def credits_for(source: str | None) -> Credits:
    known = load_credits()
    return known.get(source or "", known["default"])


def strip_credits(text: str, source: str | None = None) -> str:
    """``text`` without the lines and prefixes that are not the article's own words (see ``credits.toml``)."""
    rules = credits_for(source)
    kept: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if any(p.search(line) for p in rules.stop):
            break
        for pattern in rules.prefix:
            line = pattern.sub("", line, count=1).strip()
        if line and not any(p.search(line) for p in rules.drop):
            kept.append(line)
    return "\n".join(kept)


def one_paragraph(text: str) -> str:
    """Lines joined into one paragraph: no space where a line break meets Chinese text, one elsewhere."""
    return _SPACES.sub(" ", _LINE_BREAK.sub("", text.strip()))


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends on a sentence boundary (。！？!?… or a Latin full stop, closing quotes allowed)."""
    return bool(_ENDS.search(text.strip()))


def sentences(text: str) -> list[str]:
    """The sentences of one paragraph, each with its closing punctuation; a last unfinished one included."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def is_hook(sentence: str) -> bool:
    """Whether a sentence is a teaser, not news: short, no figure, and ends on 了 or says 又 (again)."""
    text = sentence.strip()
    return len(text) <= HOOK_CHARS and not _FIGURE.search(text) and bool(_TEASES.search(text))


def without_hooks(found: list[str]) -> list[str]:
    """``found`` without the hook sentences that open it, so a lead starts with the news; all hooks: unchanged."""
    start = next((n for n, sentence in enumerate(found) if not is_hook(sentence)), 0)
    return found[start:]


def news_sentence(text: str) -> str:
    """The first sentence of ``text`` that is not a hook (the first sentence when all are), else ``text``."""
    found = sentences(text)
    return next(iter(without_hooks(found)), text)


def is_prose(line: str) -> bool:
    """A paragraph of running text: not a subheading, a caption-like fragment or a bullet of pictographs."""
    if _PICTOGRAPH.match(line):
        return False
    return ends_sentence(line) or len(line) >= 60


def prose_sentences(text: str) -> list[str]:
    """The sentences of the paragraphs of ``text`` that are running text, in order."""
    found: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line and is_prose(line):
            found.extend(sentences(one_paragraph(line)))
    return found


def fit(parts: Iterable[str], *, low: int = MIN_CHARS, high: int = MAX_CHARS) -> str:
    """Whole sentences from the start until at least ``low`` characters, never over ``high``.

    Only when the text so far is shorter than ``SHORT_OK`` and the next sentence does not fit (or
    never ends) is that sentence cut, at its last clause boundary that fits, and marked with an
    ellipsis: never inside a word.
    """
    out = ""
    for sentence in parts:
        if len(out) >= low:
            break
        if ends_sentence(sentence) and len(out) + len(sentence) <= high:
            out += sentence
            continue
        if len(out) < SHORT_OK:
            room = sentence[: high - len(out) - 1]
            cut = max((m.start() for m in _CLAUSE.finditer(room)), default=0)
            if cut > 0:
                out += room[:cut] + "…"
        break
    return out


def summarize(body: str, description: str = "", source: str | None = None) -> str:
    """The summary of an article: its own description when whole and long enough, else the body's lead.

    Empty only when neither has any text.
    """
    text = strip_credits(body, source)
    own = one_paragraph(strip_credits(description, source))
    lead = fit(without_hooks(prose_sentences(text)))
    if own:
        whole = fit(without_hooks([s for s in sentences(own) if ends_sentence(s)]))
        # WeChat's description is the first 60-odd characters of the text, cut wherever: not a summary.
        cut_copy = not ends_sentence(own) and one_paragraph(text).startswith(own.rstrip("…. "))
        if len(whole) >= MIN_CHARS and not cut_copy:
            return whole
        if len(whole) > len(lead):
            return whole
    if lead:
        return lead
    # No whole sentence anywhere: the text up to its last clause boundary, marked as cut (or nothing).
    return fit([own or one_paragraph(text)])
