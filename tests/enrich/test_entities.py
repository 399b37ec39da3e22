"""Entity keys' text folding: the lead is NFKC-normalised only as far as it is read, with the same result."""

from __future__ import annotations

import random
import sys
import unicodedata

import pytest

from bench.feed_quality import feed_articles
from enrich.entities import _BOUNDARY, normalize, normalize_head
from tests.enrich.conftest import load_articles


def _second_elements_of_canonical_pairs() -> set[str]:
    found = set()
    for code in range(sys.maxunicode + 1):
        mapping = unicodedata.decomposition(chr(code))
        if mapping and not mapping.startswith("<"):  # canonical, not a compatibility mapping
            found |= {chr(int(part, 16)) for part in mapping.split()[1:]}
    return found


def test_boundary_characters_are_never_reached_back_over_by_nfkc() -> None:
    boundary = [chr(c) for c in range(sys.maxunicode + 1) if _BOUNDARY.fullmatch(chr(c))]
    assert len(boundary) == 128 + 0x9FFF - 0x4E00 + 1
    seconds = _second_elements_of_canonical_pairs()
    # Hangul syllables compose algorithmically from jamo; none of those are boundary characters either.
    assert not any(0x1100 <= ord(c) <= 0x11FF for c in boundary)
    for c in boundary:
        assert unicodedata.combining(c) == 0 and normalize(c) == c and c not in seconds, repr(c)


# Characters NFKC changes, composes, expands or reorders, beside boundary ones (ASCII, CJK).
_TRICKY = (
    "ＱｗｅＮ３，：（）！１２３"  # full-width forms
    "\u0301\u0300\u0323\u0308\u0344\u0340"  # combining marks (reordered, composed, decomposed)
    "\u1100\u1161\u11a8\uac00"  # Hangul jamo L V T and a syllable
    "㎏ﬁ½Ⅻ①\ufdfa\u3300ｶﾞ"  # compatibility forms that expand (ﷺ to 18 characters) or compose (ｶﾞ -> ガ)
    "eaAo 。、"
)


@pytest.mark.parametrize("seed", range(40))
def test_normalize_head_is_the_head_of_the_normalised_text(seed: int) -> None:
    rng = random.Random(seed)
    pool = _TRICKY + "英伟达发布新一代模型"
    text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 900)))
    for chars in (0, 1, 5, 17, 120, 400, 2000):
        assert normalize_head(text, chars) == normalize(text)[:chars]


def test_normalize_head_on_real_bodies() -> None:
    bodies = [str(a.get("body", "")) for a in load_articles()] + [str(d["body"]) for d in feed_articles("dev")[0]]
    assert len(bodies) > 600
    for body in bodies:
        for chars in (30, 120):
            assert normalize_head(body, chars) == normalize(body)[:chars]


def test_normalize_head_reads_further_when_composition_shortens_the_head() -> None:
    # Each run of 150 jamo composes to 50 syllables: the first cut past the margin yields too few characters.
    text = ("\u1100\u1161\u11a8" * 50 + "a") * 10
    assert len(normalize(text[:302])) < 120
    assert normalize_head(text, 120) == normalize(text)[:120]
