"""Keywords: an article's or a cluster's heaviest TF-IDF terms, with the window's IDF as the domain IDF."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from enrich.vectors import top_columns

# Numbers and dates weigh a lot (they are rare) but say nothing about the topic; nor do Chinese
# quantities (一代, 多款, 九成, 两年, 数亿元), which the tokenizer keeps as one word.
_NUMERIC = re.compile(r"^[0-9.,%]+$")
_QUANTITY = re.compile(
    r"^[0-9零一二两三四五六七八九十百千万亿几多数首每半]+[个款项次代年成倍位家名条种台月日天周轮期批件亿万元]*$"
)


def is_keyword(term: str) -> bool:
    """Whether a term may be shown as a keyword: longer than one character, not a number or quantity."""
    return len(term) > 1 and not _NUMERIC.match(term) and not _QUANTITY.match(term)


def keyword_mask(terms: np.ndarray) -> np.ndarray:
    """1.0 for vocabulary columns that may be keywords, 0.0 for the rest."""
    return np.fromiter((1.0 if is_keyword(str(t)) else 0.0 for t in terms), dtype=np.float32, count=len(terms))


def top_keywords(
    weights: sp.csr_matrix, idf: np.ndarray, mask: np.ndarray, terms: np.ndarray, *, limit: int
) -> list[list[str]]:
    """Per row of ``weights`` (term frequencies, or summed TF-IDF rows), the ``limit`` heaviest terms after IDF.

    Ties are broken by term (columns are sorted terms), so the order is deterministic.
    """
    scored = sp.csr_matrix(weights.multiply((idf * mask).astype(np.float32)[np.newaxis, :]))
    scored.eliminate_zeros()
    return [[str(terms[c]) for c in row] for row in top_columns(scored, limit)]


def label(keywords: Sequence[str], *, size: int = 3) -> str:
    """A short human label for a cluster from its first keywords."""
    return " / ".join(keywords[:size])
