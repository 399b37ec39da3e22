"""Hashed character n-grams: the numpy path gives scikit-learn's HashingVectorizer matrix, entry for entry."""

from __future__ import annotations

import random

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from bench.feed_quality import feed_articles
from enrich.chargrams import hashed_counts, little_endian_words, murmur3_32
from tests.enrich.conftest import load_articles

REFERENCE = HashingVectorizer(
    analyzer="char", ngram_range=(2, 3), n_features=2**20, alternate_sign=False, norm=None, lowercase=True
)


def _assert_same(texts: list[str]) -> None:
    expected = REFERENCE.transform(texts).tocsr()
    got = hashed_counts(texts)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)
    assert got.has_canonical_format and isinstance(got, sp.csr_matrix)


def test_murmur_of_every_length_matches_sklearn() -> None:
    rng = random.Random(7)
    strings = [bytes(rng.randrange(256) for _ in range(n)) for n in range(13) for _ in range(50)]
    raw = b"".join(strings)
    begin = np.cumsum([0] + [len(s) for s in strings[:-1]], dtype=np.int64)
    lengths = np.asarray([len(s) for s in strings], dtype=np.int64)
    words = little_endian_words(np.frombuffer(raw + bytes(16), dtype=np.uint8))
    assert murmur3_32(words, begin, lengths).tolist() == [murmurhash3_32(s, seed=0) for s in strings]


def test_real_titles_and_leads() -> None:
    texts = [f"{a['title']} {a.get('body', '')[:120]}" for a in load_articles()]
    texts += [d["title"] for d in feed_articles("dev")[0]] + [d["body"][:120] for d in feed_articles("test")[0]]
    _assert_same(texts)


@pytest.mark.parametrize("seed", range(5))
def test_mixed_scripts_widths_and_short_texts(seed: int) -> None:
    rng = random.Random(seed)
    pool = "aZ9 .英伟达发布ＱｗｅＮ３，é\u0301ß\u0130\u00a0\t\n\U0001f600\U00020000ǅ"
    texts = ["".join(rng.choice(pool) for _ in range(rng.choice([0, 1, 2, 3, 5, 40, 300]))) for _ in range(300)]
    _assert_same(texts)


def test_more_texts_than_one_chunk() -> None:
    rng = random.Random(3)
    _assert_same(["".join(rng.choice("模型发布ab12") for _ in range(rng.randint(0, 12))) for _ in range(9000)])
