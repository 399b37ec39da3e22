"""TF-IDF blocking keys: computed in blocks of rows, they are the keys one pass over the whole matrix gives."""

from __future__ import annotations

import numpy as np
import pytest

from bench.feed_quality import feed_articles
from enrich.tokens import TokenizerKit, tokenize_docs
from enrich.vectors import blocking_vectors, count_matrices


@pytest.mark.parametrize("block_rows", [1, 7, 128])
def test_blocks_of_rows_give_the_whole_matrix_keys(kit: TokenizerKit, block_rows: int) -> None:
    docs = feed_articles("dev")[0]
    tokens = tokenize_docs(kit, [(d["title"], d["body"]) for d in docs])
    counts = count_matrices([t.title for t in tokens], [t.title + t.body for t in tokens])
    whole = blocking_vectors(counts, title_weight=2.0, keep=24, block_rows=len(docs))
    blocks = blocking_vectors(counts, title_weight=2.0, keep=24, block_rows=block_rows)
    assert whole.nnz > 15 * len(docs) and blocks.dtype == whole.dtype == np.float32
    assert np.array_equal(blocks.indptr, whole.indptr) and np.array_equal(blocks.indices, whole.indices)
    assert np.array_equal(blocks.data, whole.data)
