"""TF-IDF vectors over title and body tokens, fitted on a sliding window, and sparse neighbour search.

Counts are built once for every article in memory; the IDF of a day is fitted on that day's window
rows only (the days before it plus the day), so a new day never refits the archive and a day's
vectors depend on its window alone (re-running a day gives the same numbers).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, count

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer


@dataclass(frozen=True)
class Counts:
    """Per article (rows) over one vocabulary (columns, sorted terms): body term counts and presences."""

    body_tf: sp.csr_matrix  # how often each term occurs in the body (keywords)
    body: sp.csr_matrix  # 1 where a term is in the body
    title: sp.csr_matrix  # 1 where a term is in the title
    presence: sp.csr_matrix  # 1 where a term is in the title or body: what document frequencies count
    terms: np.ndarray


def _binary(matrix: sp.csr_matrix) -> sp.csr_matrix:
    out = matrix.copy()
    out.data[:] = 1.0
    return out


def count_matrices(titles: Sequence[list[str]], bodies: Sequence[list[str]]) -> Counts:
    """Term matrices for articles; a body may be the stored distinct ``tokens`` (counts of 1 then).

    Built directly rather than with ``CountVectorizer``, whose per-token Python loop was the
    slowest step after tokenising at 100k articles; columns are the sorted terms all the same.
    """
    vocabulary: defaultdict[str, int] = defaultdict(count().__next__)
    title_ptr, title_ids = _term_ids(titles, vocabulary)
    body_ptr, body_ids = _term_ids(bodies, vocabulary)
    unsorted = list(vocabulary)
    by_term = sorted(range(len(unsorted)), key=unsorted.__getitem__)
    column = np.empty(len(unsorted), dtype=np.int64)
    column[np.asarray(by_term, dtype=np.int64)] = np.arange(len(unsorted))
    shape = (len(titles), len(unsorted))
    title = _csr(title_ptr, column[title_ids], shape)
    body_tf = _csr(body_ptr, column[body_ids], shape)
    terms = np.asarray([unsorted[i] for i in by_term], dtype=object)
    return Counts(body_tf, _binary(body_tf), _binary(title), _binary(body_tf + title), terms)


def _term_ids(docs: Sequence[list[str]], vocabulary: defaultdict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    # Straight from the documents: a flat list of 100k articles' 25M tokens was 200 MB for nothing.
    ids = map(vocabulary.__getitem__, chain.from_iterable(docs))
    return indptr, np.fromiter(ids, dtype=np.int64, count=int(indptr[-1]))


def _csr(indptr: np.ndarray, indices: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    matrix = sp.csr_matrix((np.ones(indices.size, dtype=np.float32), indices, indptr), shape=shape)
    matrix.sum_duplicates()  # repeated terms become counts; also sorts the indices
    return matrix


def window_tfidf(counts: Counts, window: np.ndarray, *, title_weight: float) -> tuple[sp.csr_matrix, np.ndarray]:
    """L2-normalised TF-IDF rows of ``window`` (row indices), IDF fitted on those rows; also the IDF.

    Body terms count once (a stored context article only has its distinct tokens), title terms
    ``title_weight`` more times.
    """
    transformer = TfidfTransformer(norm="l2", smooth_idf=True)
    transformer.fit(counts.presence[window])
    weighted = counts.body[window] + title_weight * counts.title[window]
    return transformer.transform(weighted).tocsr().astype(np.float32), transformer.idf_


def blocking_vectors(counts: Counts, *, title_weight: float, keep: int, block_rows: int = 8192) -> sp.csr_matrix:
    """Each article's ``keep`` heaviest TF-IDF terms over everything loaded: keys that keep products sparse.

    Fitted once per run: the keys only propose candidates, every candidate is then scored on its
    window's exact vectors. So a run's results do not depend on the batch except through which
    candidates are proposed: a pair above threshold that shares none of either article's top terms
    under the run-wide IDF would be missed (not seen in the fixtures or the quality benchmark).
    """
    transformer = TfidfTransformer(norm="l2", smooth_idf=True).fit(counts.presence)
    # In blocks of rows: the transform works row by row, so blocks give the rows the whole matrix would, and the
    # temporary copies (weights, the float64 sort key) are a block's, not 100k articles' (over a GB at once).
    starts = range(0, counts.body.shape[0], block_rows)
    blocks = [
        transformer.transform(counts.body[s : s + block_rows] + title_weight * counts.title[s : s + block_rows])
        .tocsr()
        .astype(np.float32)
        for s in starts
    ]
    # The whole matrix's heaviest weight scales the sort key of every block, as one prune over it would.
    top = max((float(b.data.max()) for b in blocks if b.nnz), default=0.0) or 1.0
    pruned = [prune_rows(b, keep, first_row=s, top=top) for s, b in zip(starts, blocks, strict=True)]
    return sp.vstack(pruned, format="csr") if pruned else sp.csr_matrix(counts.body.shape, dtype=np.float32)


def ranked_entries(
    matrix: sp.csr_matrix, keep: int, *, first_row: int = 0, top: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(row, position in ``matrix.data``) of each row's ``keep`` heaviest entries, heaviest first, ties by column.

    ``first_row`` and ``top``: when ``matrix`` is a block of rows of a larger one, where the block starts and the
    larger matrix's heaviest weight, so ties fall exactly as one sort over the whole matrix lets them fall.
    """
    matrix.sort_indices()
    rows = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))
    if rows.size == 0:
        return rows, rows
    top = top or float(matrix.data.max()) or 1.0
    # One stable sort on a composite key: the row, then weight descending; equal keys stay in column order.
    order = np.argsort((rows + first_row) - 0.5 * (matrix.data.astype(np.float64) / top), kind="stable")
    rank = np.arange(order.size) - matrix.indptr[rows[order]]
    chosen = order[rank < keep]
    return rows[chosen], chosen


def prune_rows(matrix: sp.csr_matrix, keep: int, *, first_row: int = 0, top: float | None = None) -> sp.csr_matrix:
    """``matrix`` with only each row's ``keep`` heaviest entries (``first_row``, ``top``: see ``ranked_entries``)."""
    rows, chosen = ranked_entries(matrix, keep, first_row=first_row, top=top)
    pruned = sp.csr_matrix((matrix.data[chosen], (rows, matrix.indices[chosen])), shape=matrix.shape)
    pruned.sort_indices()
    return pruned


def top_columns(matrix: sp.csr_matrix, keep: int) -> list[list[int]]:
    """Per row, the columns of its ``keep`` heaviest entries, heaviest first, ties by column."""
    rows, chosen = ranked_entries(matrix, keep)
    out: list[list[int]] = [[] for _ in range(matrix.shape[0])]
    for row, column in zip(rows.tolist(), matrix.indices[chosen].tolist(), strict=True):
        out[row].append(column)
    return out


@dataclass(frozen=True)
class Pairs:
    """Candidate pairs (query row, pool row) with their exact cosine similarity, sorted."""

    query: np.ndarray
    pool: np.ndarray
    sim: np.ndarray


def similar_pairs(
    vectors: sp.csr_matrix,
    blocking: sp.csr_matrix,
    query: np.ndarray,
    *,
    min_sim: float,
    floor: float = 0.05,
) -> Pairs:
    """Pairs of rows (``query`` x all rows, not the same row) with cosine >= ``min_sim`` on ``vectors``.

    Not quadratic: candidates come from the product of the pruned ``blocking`` rows (each row's
    top terms only, whose postings are short); only candidates scoring at least ``floor`` there
    get their exact cosine on the full vectors.
    """
    scores = (blocking[query] @ blocking.T).tocoo()
    keep = scores.data >= floor
    q_rows, p_rows = query[scores.row[keep]], scores.col[keep].astype(np.int64)
    distinct = q_rows != p_rows
    q_rows, p_rows = q_rows[distinct], p_rows[distinct]
    if q_rows.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return Pairs(empty, empty, np.empty(0, dtype=np.float32))
    sims = np.asarray(vectors[q_rows].multiply(vectors[p_rows]).sum(axis=1)).ravel()
    ok = sims >= min_sim
    q_rows, p_rows, sims = q_rows[ok], p_rows[ok], sims[ok]
    order = np.lexsort((p_rows, q_rows))
    return Pairs(q_rows[order], p_rows[order], sims[order].astype(np.float32))
