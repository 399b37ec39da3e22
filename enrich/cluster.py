"""Event clusters: articles about the same event share a cluster id that stays stable across runs.

Articles are assigned in publication order; each joins the cluster of its most similar earlier
article when the similarity clears a threshold that rises with the days between them (a gold-price
快讯 today is not the same event as yesterday's), else it starts a cluster named after itself. The
first article of a cluster is its earliest member, so the id never changes when a run is repeated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import scipy.sparse as sp

from enrich.dedupe import credited_source


@dataclass(frozen=True)
class ClusterRules:
    """Cosine needed to join: ``sim`` on the same day, plus ``day_penalty`` per whole day apart."""

    sim: float = 0.28
    day_penalty: float = 0.03


def cluster_id_for(article_id: str) -> str:
    """The id of a cluster started by (so: whose earliest member is) ``article_id``."""
    return f"c{article_id}"


def link_threshold(a: datetime | None, b: datetime | None, rules: ClusterRules) -> float:
    days = abs((a - b).total_seconds()) // 86400 if a is not None and b is not None else 0
    return rules.sim + rules.day_penalty * days


def assign_clusters(
    order: Sequence[int],
    neighbours: Mapping[int, Sequence[tuple[int, float]]],
    *,
    ids: Sequence[str],
    times: Sequence[datetime | None],
    known: Mapping[int, str],
    canonical_of: Mapping[int, int],
    rules: ClusterRules,
) -> dict[int, str]:
    """Cluster ids for the articles in ``order`` (rows, earliest first).

    ``neighbours[i]`` lists (earlier row, cosine); ``known`` holds the cluster ids of context rows;
    ``canonical_of`` maps a duplicate's row to its canonical copy's row, whose cluster it shares.
    """
    assigned: dict[int, str] = dict(known)
    rank = {row: pos for pos, row in enumerate(order)}
    originals = [i for i in order if i not in canonical_of]
    duplicates = [i for i in order if i in canonical_of]
    for i in originals:
        assigned[i] = _best_cluster(i, neighbours.get(i, ()), assigned, times, rank, rules) or cluster_id_for(ids[i])
    for i in duplicates:
        canonical = canonical_of[i]
        assigned[i] = (
            assigned.get(canonical)
            or _best_cluster(i, neighbours.get(i, ()), assigned, times, rank, rules)
            or cluster_id_for(ids[i])
        )
    return {i: assigned[i] for i in order}


def _best_cluster(
    i: int,
    candidates: Sequence[tuple[int, float]],
    assigned: Mapping[int, str],
    times: Sequence[datetime | None],
    rank: Mapping[int, int],
    rules: ClusterRules,
) -> str | None:
    best: tuple[float, int, int] | None = None
    for j, sim in candidates:
        if j not in assigned or sim < link_threshold(times[i], times[j], rules):
            continue
        # Highest similarity wins; ties go to the earlier article (context rows rank before targets).
        key = (-sim, rank.get(j, -1), j)
        if best is None or key < best:
            best = key
    return assigned[best[2]] if best is not None else None


def representative_index(members: Sequence[tuple[str, str, bool]]) -> int:
    """The member that represents a cluster: the original publisher, else the earliest report.

    ``members`` are (source, body, is_duplicate) in publication order. The original publisher is the earliest
    member from a source that another member credits ("来源：机器之心"); else the earliest member that is not a
    duplicate; else the earliest.
    """
    return representative_of([(source, credited_source(body), duplicate) for source, body, duplicate in members])


def representative_of(members: Sequence[tuple[str, str | None, bool]]) -> int:
    """``representative_index`` from each member's credited source (``DupDoc.credit``) instead of its body."""
    credited = {c for _, c, _ in members if c}
    for n, (source, _, _) in enumerate(members):
        if source in credited:
            return n
    return next((n for n, (_, _, duplicate) in enumerate(members) if not duplicate), 0)


@dataclass(frozen=True)
class Summary:
    """Per cluster (rows, in ``ids`` order): the representative's window position and summed TF-IDF."""

    ids: list[str]
    representative: list[int]
    weights: sp.csr_matrix


def summarize(
    labels: Sequence[str], positions: Sequence[int], duplicate: Sequence[bool], vectors: sp.csr_matrix
) -> Summary:
    """Representatives and term weights of clusters, from members at ``positions`` (window rows) in one product.

    Duplicates are left out where a cluster has a canonical copy in the window; the representative
    is the member closest to its cluster's centroid, ties to the earliest position.
    """
    ids = sorted(set(labels))
    index = {cid: k for k, cid in enumerate(ids)}
    has_original = {labels[n] for n in range(len(labels)) if not duplicate[n]}
    used = [n for n in range(len(labels)) if not duplicate[n] or labels[n] not in has_original]
    cluster_of = np.asarray([index[labels[n]] for n in used], dtype=np.int64)
    rows = np.asarray([positions[n] for n in used], dtype=np.int64)
    membership = sp.csr_matrix(
        (np.ones(len(used), dtype=np.float32), (cluster_of, rows)), shape=(len(ids), vectors.shape[0])
    )
    weights = (membership @ vectors).tocsr()
    scores = np.round(np.asarray(vectors[rows].multiply(weights[cluster_of]).sum(axis=1)).ravel(), 6)
    order = np.lexsort((rows, -scores, cluster_of))
    first = np.r_[True, cluster_of[order][1:] != cluster_of[order][:-1]]
    representative = [0] * len(ids)
    for k, row in zip(cluster_of[order][first].tolist(), rows[order][first].tolist(), strict=True):
        representative[k] = row
    return Summary(ids, representative, weights)
