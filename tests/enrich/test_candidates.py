"""The event join's candidates in a second process: the same fields, clusters and pairs as in one, failures raised."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest

from bench.feed_quality import feed_articles
from crawler.dates import SHANGHAI
from enrich import runner
from enrich.candidates import CandidateProcess, Job
from enrich.candidates import schedule as make_schedule
from enrich.pairgate import GateRules, Pair
from enrich.runner import EnrichResult, EnrichSettings, Models, enrich
from enrich.tokens import TokenizerKit

NOW = datetime(2026, 8, 1, tzinfo=SHANGHAI)
ONE = EnrichSettings(processes=1)
TWO = EnrichSettings(processes=2, parallel_min_docs=1)


class _Counted(CandidateProcess):
    started = 0

    def __enter__(self) -> CandidateProcess:
        type(self).started += 1
        return super().__enter__()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> type[_Counted]:
    _Counted.started = 0
    monkeypatch.setattr(runner, "CandidateProcess", _Counted)
    return _Counted


def _run(kit: TokenizerKit, settings: EnrichSettings, **options: Any) -> tuple[EnrichResult, list[Any]]:
    seen: list[tuple[date, str, str, Pair]] = []
    sink = options.pop("sink", False)

    def record(day: date, candidates: Any) -> None:
        seen.extend((day, later, earlier, pair) for later, earlier, pair in candidates)

    docs = feed_articles("dev")[0]
    result = enrich(docs, [], kit=kit, settings=settings, now=NOW, on_candidates=record if sink else None, **options)
    return result, seen


def test_a_second_process_decides_what_one_process_decides(kit: TokenizerKit, counted: type[_Counted]) -> None:
    alone, _ = _run(kit, ONE)
    beside, _ = _run(kit, TWO)
    assert counted.started == 1  # the second process ran, and decided with the shipped gate itself
    assert beside.updates == alone.updates and beside.clusters == alone.clusters
    assert sum(1 for _, f in alone.updates if f["cluster_gate"] == "offline") > 20  # joins to compare


def test_the_pairs_come_back_when_a_sink_must_see_them(kit: TokenizerKit, counted: type[_Counted]) -> None:
    alone, pairs = _run(kit, ONE, sink=True)
    beside, sent = _run(kit, TWO, sink=True)
    assert counted.started == 1
    assert len(pairs) > 2000 and sent == pairs  # every candidate, every feature, in the same order
    assert beside.updates == alone.updates and beside.clusters == alone.clusters


def test_an_llm_judge_reads_the_same_titles_and_leads(kit: TokenizerKit, counted: type[_Counted]) -> None:
    shown: list[list[tuple[str, str, str]]] = []

    def judge(day: date, articles: Any, pairs: Any) -> set[tuple[str, str]]:
        shown.append(sorted((a.id, a.title, a.lead) for a in articles.values()))
        return {pair for pair in pairs if articles[pair[0]].title[:6] == articles[pair[1]].title[:6]}

    alone, _ = _run(kit, ONE, models=Models(judge=judge))
    asked, shown[:] = list(shown), []
    beside, _ = _run(kit, TWO, models=Models(judge=judge))
    assert counted.started == 1 and shown == asked and len(asked) > 3
    assert beside.updates == alone.updates


def test_a_failure_in_the_second_process_is_raised_here(kit: TokenizerKit) -> None:
    broken = GateRules(candidate_sim=None)  # type: ignore[arg-type]  # fails comparing it to a cosine
    with pytest.raises(TypeError):
        _run(kit, replace(ONE, gate=broken))
    with pytest.raises(RuntimeError, match=r"(?s)event-join process failed.*TypeError"):
        _run(kit, replace(TWO, gate=broken))


def test_a_second_process_that_dies_is_named_not_waited_for() -> None:
    when = datetime(2026, 8, 1, 9, 0, tzinfo=SHANGHAI)
    schedule = make_schedule(["a", "b"], [when, when], [when.date()] * 2, [True, True], 7)
    job = Job([("标题一", "正文一", "36kr"), ("标题二", "正文二", "ithome")], [when, when], schedule, [when.date()],
              GateRules(), decide=True)  # fmt: skip
    with CandidateProcess(job) as process:
        assert process.process is not None
        process.process.kill()
        process.process.wait()
        # It may have sent its one day before it died; the day after that never comes.
        with pytest.raises(RuntimeError, match="ended without a result"):
            process.receive(when.date())
            process.receive(when.date())
