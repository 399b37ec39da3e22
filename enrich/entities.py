"""Entity keys of an article's title and lead: companies, products with their versions, amounts with units.

The event join (``enrich.pairgate``) uses them twice: shared rare keys are evidence that two reports are one
event, and a different version of one product (Qwen3 vs Qwen3.5) or a different amount in one unit (12亿元
vs 30亿元) in the two titles blocks a join. Aliases are data (``enrich/data/aliases.toml``): 千问 = Qwen =
通义千问 all read as ``qwen``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TypeVar

ALIASES_FILE = "aliases.toml"
T = TypeVar("T")
# Latin words too common to name anything by themselves.
_COMMON_LATIN = frozenset(
    [
        "ai",
        "api",
        "app",
        "ceo",
        "cto",
        "cfo",
        "coo",
        "ipo",
        "gpu",
        "cpu",
        "npu",
        "hbm",
        "llm",
        "agi",
        "agent",
        "agents",
        "ar",
        "vr",
        "pc",
        "ml",
        "sdk",
        "mcp",
        "the",
        "and",
        "for",
        "of",
        "pro",
        "max",
        "mini",
        "plus",
        "ultra",
        "lite",
        "flash",
        "new",
        "top",
        "a",
        "b",
        "c",
        "d",
        "x",
        "rss",
        "etf",
        "lof",
        "etfs",
        "us",
        "eu",
        "ui",
    ]
)
_SUFFIXES = "pro|flash|max|mini|ultra|turbo|lite|plus|sol|luna|terra|omni|preview"
_MULTIPLIERS = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "": 1.0}
_AMOUNT = re.compile(
    r"(\d+(?:\.\d+)?)\s*(万亿|千亿|百亿|亿|千万|百万|万)?\s*"
    r"(美元|港元|日元|韩元|欧元|新台币|人民币|元|台|辆|吉瓦|GW|%)"
)
_QUOTED = re.compile(r"[“「『\"]([^”」』\"]{2,16})[”」』\"]")
_SUBJECT = re.compile(r"^([^：:，,。！？\s]{2,12})[：:]")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9.\-]*(?:\s+[A-Z][A-Za-z0-9.\-]*)*")
_VERSION = re.compile(r"^[\s\-]?([vVkK]?\d+(?:\.\d+)?)(?![\d.])")


@dataclass(frozen=True)
class Keys:
    """What one article names: name keys, product versions, and amounts per unit."""

    names: frozenset[str]
    versions: frozenset[str]  # "qwen3.5"
    families: dict[str, frozenset[str]]  # product family -> the versions named
    amounts: dict[str, frozenset[float]]  # unit -> values

    def all(self) -> frozenset[str]:
        """Every key, versions and amounts included, for counting shared ones."""
        if not self.versions and not self.amounts:
            return self.names  # most articles: the same set, not a copy of it (the gate holds 100k of these)
        amounts = {f"{unit}:{value:g}" for unit, values in self.amounts.items() for value in values}
        return self.names | self.versions | frozenset(amounts)


_EMPTY: frozenset = frozenset()


def frozen(items: Iterable[T]) -> frozenset[T]:
    """``frozenset(items)``, the one shared empty set when there are none: most key sets of most articles are empty,
    and each empty frozenset of its own costs 216 bytes."""
    out = frozenset(items)
    return out if out else _EMPTY


@dataclass(frozen=True)
class Aliases:
    """Spelling -> key, longest spellings first so 通义千问 wins over 千问."""

    companies: tuple[tuple[str, str], ...]
    products: tuple[tuple[str, str], ...]


@lru_cache(maxsize=1)
def load_aliases() -> Aliases:
    """The shipped alias table."""
    text = resources.files("enrich.data").joinpath(ALIASES_FILE).read_text(encoding="utf-8")
    return parse_aliases(text)


def parse_aliases(text: str) -> Aliases:
    """An alias table from its TOML text."""
    table = tomllib.loads(text)

    def flat(section: str) -> tuple[tuple[str, str], ...]:
        pairs = [(spelling.lower(), key) for key, spellings in table.get(section, {}).items() for spelling in spellings]
        return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0])))

    return Aliases(flat("companies"), flat("products"))


def normalize(text: str) -> str:
    """Full-width forms folded (Ｑｗｅｎ３ -> Qwen3), so the patterns see one spelling."""
    return unicodedata.normalize("NFKC", text)


# Characters before which NFKC never reaches back: no decomposition, combining class 0, and never the second of a
# canonical pair (ASCII and the CJK Unified Ideographs; tests/enrich/test_entities.py checks it on the Unicode data
# Python ships). So normalize(a + b) == normalize(a) + normalize(b) whenever b starts with one.
_BOUNDARY = re.compile(r"[\x00-\x7f\u4e00-\u9fff]")


def normalize_head(text: str, chars: int) -> str:
    """``normalize(text)[:chars]``, normalising only as much of ``text`` as that needs (a lead of a long body)."""
    # NFKC may shorten text (composition) or lengthen it (ligatures, ㎏): cut at a boundary past a margin, and look
    # further when the normalised head still falls short.
    reach = 2 * chars + 16
    while reach < len(text):
        cut = _BOUNDARY.search(text, reach)
        if cut is None:
            break
        head = unicodedata.normalize("NFKC", text[: cut.start()])
        if len(head) >= chars:
            return head[:chars]
        reach *= 2
    return unicodedata.normalize("NFKC", text)[:chars]


def extract(text: str, aliases: Aliases | None = None) -> Keys:
    """The keys named in ``text``."""
    aliases = aliases or load_aliases()
    text = normalize(text)
    lower = text.lower()
    names: set[str] = set()
    families: dict[str, set[str]] = {}
    masked = lower
    # Masking only blanks text out, so a spelling absent from ``lower`` is absent from ``masked`` too (unless it
    # holds a space the blanks could supply): only the spellings found in ``lower`` are worth the loop.
    for spelling, key in [c for c in aliases.companies if c[0] in lower or " " in c[0]]:
        if _contains(masked, spelling):
            names.add(f"co:{key}")
            # 阿里云 must not also read as 阿里巴巴: a matched spelling is blanked out for the shorter ones.
            masked = masked.replace(spelling, " " * len(spelling))
    for spelling, key in [p for p in aliases.products if p[0] in lower]:  # the rest finds nothing
        start = lower.find(spelling)
        while start >= 0:
            if _word_start(lower, start, spelling):
                names.add(f"pr:{key}")
                found = _VERSION.match(lower[start + len(spelling) :])
                if found:
                    families.setdefault(key, set()).add(_version(found.group(1)))
            start = lower.find(spelling, start + len(spelling))
    for match in _LATIN.finditer(text):
        phrase = match.group(0)
        family, version = _split_version(phrase)
        if family and family not in _COMMON_LATIN and len(family) >= 3:
            names.add(f"la:{family}")
            if version and not any(family.startswith(f) for f in families):
                families.setdefault(family, set()).add(version)
    names |= {f"q:{m.group(1).strip()}" for m in _QUOTED.finditer(text)}
    subject = _SUBJECT.match(text.strip())
    if subject:
        names.add(f"s:{subject.group(1)}")
    amounts: dict[str, set[float]] = {}
    for number, scale, unit in _AMOUNT.findall(text):
        unit = "gw" if unit in ("吉瓦", "GW") else unit
        amounts.setdefault(unit, set()).add(round(float(number) * _MULTIPLIERS[scale], 6))
    return Keys(
        names=frozen(names),
        versions=frozen(f"{family}{v}" for family, vs in families.items() for v in vs),
        families={family: frozenset(vs) for family, vs in families.items()},
        amounts={unit: frozenset(vs) for unit, vs in amounts.items()},
    )


def _contains(text: str, spelling: str) -> bool:
    # The plain substring test first: most spellings are absent, and it costs no regex.
    if spelling not in text or not spelling.isascii():
        return spelling in text
    return _word(spelling).search(text) is not None


@lru_cache(maxsize=4096)
def _word(spelling: str) -> re.Pattern[str]:
    """A latin spelling as a whole word (not the tail or head of a longer latin word)."""
    return re.compile(rf"(?<![a-z0-9]){re.escape(spelling)}(?![a-z])")


def _word_start(text: str, start: int, spelling: str) -> bool:
    """A latin spelling must not be the tail of a longer latin word (``gpt`` in ``chatgpt``)."""
    if not spelling.isascii() or start == 0:
        return True
    return not text[start - 1].isascii() or not text[start - 1].isalnum()


def _version(raw: str) -> str:
    return raw.lower().lstrip("v").removesuffix(".0")


_SUFFIX = re.compile(rf"[\s\-]+({_SUFFIXES})$")
_FAMILY_VERSION = re.compile(r"^(.*?[a-z])[\s\-]?([vk]?\d+(?:\.\d+)?)(?:[\s\-].*)?$")
_SEPARATORS = re.compile(r"[\s\-]+")


# Cached: the same latin names (OpenAI, GPT-5, Qwen3.5) recur in most articles, and the three patterns cost more
# than the lookup.
@lru_cache(maxsize=1 << 16)
def _split_version(phrase: str) -> tuple[str, str | None]:
    """("mai-cyber", "1") from "MAI-Cyber-1-Flash"; ("coreweave", None) from "CoreWeave"."""
    cleaned = _SUFFIX.sub("", phrase.lower().strip(" .-"))
    match = _FAMILY_VERSION.match(cleaned)
    if match:
        return _SEPARATORS.sub("", match.group(1)), _version(match.group(2))
    return _SEPARATORS.sub("", cleaned), None


def conflicts(a: Keys, b: Keys, *, tolerance: float = 0.03) -> list[str]:
    """Why two titles cannot report one event: another version of a product, another amount in a unit."""
    if not (a.families and b.families) and not (a.amounts and b.amounts):
        return []  # most pairs: nothing to compare (the gate asks this of a million pairs at 100k articles)
    out = [
        f"version {family}: {sorted(a.families[family])} vs {sorted(b.families[family])}"
        for family in sorted(a.families.keys() & b.families.keys())
        if not a.families[family] & b.families[family]
    ]
    for unit in sorted(a.amounts.keys() & b.amounts.keys()):
        if not any(_close(x, y, tolerance) for x in a.amounts[unit] for y in b.amounts[unit]):
            out.append(f"amount {unit}: {sorted(a.amounts[unit])} vs {sorted(b.amounts[unit])}")
    return out


def _close(x: float, y: float, tolerance: float) -> bool:
    return abs(x - y) <= tolerance * max(abs(x), abs(y), 1e-9)
