"""The offline gate of the event join: near-identical titles within a day and a half, or keyed joins of the same
hours that also share a sum; never a round-up or another version or amount."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np

from crawler.dates import SHANGHAI
from enrich.pairgate import GateRules, Pair, _tfidf, candidate_pairs, count_rows, gate_text, offline_verdict

RULES = GateRules()
CLOSE = Pair(query=1, pool=0, title_sim=0.8, full_sim=0.5, shared=(), rare=0.0, blocked=(), hours=3.0)
KEYED = Pair(query=1, pool=0, title_sim=0.3, full_sim=0.3, shared=("s:英伟达",), rare=8.0, blocked=(), strong=8.0,
             lead_strong=8.0, named=1, hours=2.0, amounts=1)  # fmt: skip


def test_close_titles_join_only_within_a_day_and_a_half() -> None:
    assert offline_verdict(CLOSE, RULES)
    # 恒指开盘涨0.26% on two mornings: the same words, two sessions.
    assert not offline_verdict(replace(CLOSE, hours=48.0), RULES)
    assert not offline_verdict(replace(CLOSE, roundup=True), RULES)
    assert not offline_verdict(replace(CLOSE, blocked=("version qwen: ['3'] vs ['3.5']",)), RULES)


def test_shared_names_need_a_shared_sum_and_the_same_hours() -> None:
    assert offline_verdict(KEYED, RULES)
    assert not offline_verdict(replace(KEYED, amounts=0), RULES)  # the same company, nothing else in common
    assert not offline_verdict(replace(KEYED, hours=13.0), RULES)  # a name alone recurs across days
    assert not offline_verdict(replace(KEYED, lead_blocked=("amount 美元: [1e9] vs [3e9]",)), RULES)
    assert not offline_verdict(replace(KEYED, strong=3.0, lead_strong=3.0), RULES)


def test_gate_text_keys_sums_of_the_lead() -> None:
    text = gate_text("英伟达投资SSI", "英伟达向SSI投资50亿美元，双方建立长期合作。")
    assert text.keys.amounts == {"美元": frozenset({5e9})} and not text.title_keys.amounts


def test_candidates_stay_bounded_when_a_key_is_on_many_articles() -> None:
    # 60 reports naming one rare-looking product, each with its own sum: a key on more articles than max_postings
    # finds no candidates by itself, and similarity adds at most max_similar per article.
    texts = [gate_text(f"某公司XR-{n}发布", f"本次发布涉及{n + 1}亿元投资，产品代号Zeta9。") for n in range(60)]
    title_counts, full_counts = count_rows(texts)
    times = [datetime(2026, 8, 1, 8, 0, tzinfo=SHANGHAI) + timedelta(minutes=n) for n in range(60)]
    rules = replace(RULES, max_postings=10, max_similar=5)
    window = np.arange(60)
    pairs = candidate_pairs(texts, title_counts, full_counts, window=window, today=window, times=times, rules=rules)
    per_query = Counter(p.query for p in pairs)
    assert pairs and max(per_query.values()) <= rules.max_similar
    unbounded = candidate_pairs(texts, title_counts, full_counts, window=window, today=window, times=times,
                                rules=replace(RULES, max_postings=1000, max_similar=1000))  # fmt: skip
    assert len(unbounded) > len(pairs)


def test_an_undated_article_pairs_with_earlier_ones_on_their_own_vectors() -> None:
    # Vectors are made for the last max_days only, but an undated article is 0 hours from every earlier one.
    old = datetime(2026, 8, 1, 8, 0, tzinfo=SHANGHAI)
    titles = ["英伟达发布新一代GPU芯片", "英伟达发布新一代AI芯片", "比亚迪发布新车", "英伟达新一代GPU芯片发布会"]
    texts = [gate_text(title, "正文。") for title in titles]
    times = [old, old + timedelta(hours=1), old + timedelta(days=5), None]
    title_counts, full_counts = count_rows(texts)
    window, today = np.arange(4), np.asarray([2, 3])
    pairs = candidate_pairs(texts, title_counts, full_counts, window=window, today=today, times=times, rules=RULES)
    vectors = _tfidf(title_counts, window)
    cosine = {(p.query, p.pool): p.title_sim for p in pairs}
    assert (3, 0) in cosine and (3, 1) in cosine  # days older than max_days, joined through the undated article
    for (q, p), sim in cosine.items():
        assert sim == round(float(vectors[q].multiply(vectors[p]).sum()), 4)
