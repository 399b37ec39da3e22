"""Hashed character n-gram counts, the same matrix scikit-learn's ``HashingVectorizer`` gives, computed with numpy.

``HashingVectorizer(analyzer="char", ngram_range=(lo, hi), alternate_sign=False, norm=None, lowercase=True)`` cuts
every n-gram into a Python string and hashes them one by one: at 100k articles that was ~10 s of the event join's
set-up. Here the n-grams are never built: each is a slice of the text's UTF-8 bytes, hashed with MurmurHash3 (x86,
32 bits, seed 0, as ``sklearn.utils.murmurhash3_32``) for all of them at once, and the column is ``|hash| mod
n_features`` as scikit-learn's. ``tests/enrich/test_chargrams.py`` checks the matrices are equal, entry for entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

_C1, _C2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)
_PAD = 16  # zero bytes after a chunk's text: an n-gram (up to 12 bytes) and its tail word never read past them
_CHUNK = 1024  # texts hashed at once: a chunk's temporary arrays (~40 bytes per n-gram) stay a few MB
_WHITE_SPACES = re.compile(r"\s\s+")  # what HashingVectorizer folds to one space before cutting


def _rotl(x: npt.NDArray[np.uint32], r: int) -> npt.NDArray[np.uint32]:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def little_endian_words(raw: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint32]:
    """The 32-bit little-endian word starting at each byte of ``raw`` (the last three bytes start none)."""
    b = raw.astype(np.uint32)
    return b[:-3] | (b[1:-2] << np.uint32(8)) | (b[2:-1] << np.uint32(16)) | (b[3:] << np.uint32(24))


_TAIL_MASK = np.asarray([0, 0xFF, 0xFFFF, 0xFFFFFF], dtype=np.uint32)


def murmur3_32(
    words: npt.NDArray[np.uint32], begin: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]
) -> npt.NDArray[np.int32]:
    """MurmurHash3 x86_32 (seed 0) of the byte strings at ``begin`` of ``lengths`` bytes (``words``: their words)."""
    h = np.zeros(len(lengths), dtype=np.uint32)
    blocks = lengths // 4
    with np.errstate(over="ignore"):
        for j in range(int(blocks.max(initial=0))):
            k = _rotl(words[begin + 4 * j] * _C1, 15) * _C2
            h = np.where(j < blocks, _rotl(h ^ k, 13) * np.uint32(5) + np.uint32(0xE6546B64), h)
        tail = words[begin + 4 * blocks] & _TAIL_MASK[lengths % 4]  # the bytes after the last whole block
        h = np.where(lengths % 4 > 0, h ^ (_rotl(tail * _C1, 15) * _C2), h)
        h ^= lengths.astype(np.uint32)
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h.view(np.int32)


def _utf8_lengths(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    return 1 + (codes >= 0x80).astype(np.int64) + (codes >= 0x800) + (codes >= 0x10000)


def _chunk_entries(
    texts: Sequence[str], ngram_range: tuple[int, int], n_features: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(row, column) of every n-gram of ``texts`` (already lower-cased and space-folded)."""
    joined = "".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    chars = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    ends = np.cumsum(chars)
    end_of = np.repeat(ends, chars)  # per character: where its text ends
    row_of = np.repeat(np.arange(len(texts), dtype=np.int64), chars)
    offsets = np.concatenate(([0], np.cumsum(_utf8_lengths(codes))))  # byte offset of each character
    words = little_endian_words(np.frombuffer(joined.encode("utf-8") + bytes(_PAD), dtype=np.uint8))
    rows, columns = [], []
    starts = np.arange(len(codes), dtype=np.int64)
    lo, hi = ngram_range
    for n in range(lo, hi + 1):
        first = starts[starts + n <= end_of]  # n-grams never run into the next text
        begin = offsets[first]
        hashed = murmur3_32(words, begin, offsets[first + n] - begin).astype(np.int64)
        rows.append(row_of[first])
        columns.append(np.abs(hashed) % n_features)
    return np.concatenate(rows), np.concatenate(columns)


def hashed_counts(
    texts: Sequence[str],
    *,
    ngram_range: tuple[int, int] = (2, 3),
    n_features: int = 2**20,
    dtype: type[np.floating] = np.float64,
) -> sp.csr_matrix:
    """Character n-gram counts of ``texts`` (lower-cased), one row per text, columns hashed as HashingVectorizer's.

    ``dtype``: float64 as scikit-learn's; float32 holds the same counts (whole numbers below 2**24) in half the bytes.
    """
    lo, hi = ngram_range
    if lo < 2 or hi < lo or hi > 3:
        raise ValueError(f"ngram_range {ngram_range}: only n-grams of 2 and 3 characters are supported")
    # Written in place into arrays sized for every n-gram being distinct: pages past the distinct ones are never
    # touched, so never resident; no list of parts and no concatenated copy of them (300 MB at 100k titles + leads).
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    bound = int(sum(np.maximum(sizes - (n - 1), 0).sum() for n in range(lo, hi + 1)))
    indices, data = np.empty(bound, dtype=np.int32), np.empty(bound, dtype=dtype)
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    filled = 0
    for start in range(0, len(texts), _CHUNK):
        chunk = [_WHITE_SPACES.sub(" ", t.lower()) for t in texts[start : start + _CHUNK]]
        rows, columns = _chunk_entries(chunk, ngram_range, n_features)
        # One sort gives each row's distinct columns in order and their counts: the canonical CSR of sum_duplicates.
        distinct, count = np.unique(rows * n_features + columns, return_counts=True)
        indices[filled : filled + len(distinct)] = distinct % n_features
        data[filled : filled + len(distinct)] = count
        indptr[start + 1 : start + len(chunk) + 1] = filled + np.cumsum(np.bincount(distinct // n_features,
                                                                                    minlength=len(chunk)))  # fmt: skip
        filled += len(distinct)
    shape = (len(texts), n_features)
    return sp.csr_matrix((data[:filled], indices[:filled], indptr.astype(np.int32)), shape=shape)
