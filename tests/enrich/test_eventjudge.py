"""The LLM gate of the event join, end to end against a local OpenAI-compatible server, with its cache."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import openai

from crawler.dates import SHANGHAI
from crawler.store import Store
from enrich.eventjudge import TASK, LLMJudge, parse_answer
from enrich.llm import AnswerCache, ChatClient, Ledger
from enrich.runner import EnrichSettings, Models, enrich
from enrich.tokens import TokenizerKit
from tests.llm.fake_openai import FakeLLM

NOW = datetime(2026, 1, 21, 8, 0, tzinfo=SHANGHAI)
GOLD = {"36kr-gold-1", "aibase-gold-2", "ithome-gold-3"}
_PAIR = re.compile(r"^(\S+) (\S+)$", re.M)


class EventLLM(FakeLLM):
    """Answers event-join questions: the gold 快讯 are one event; also names a pair that was not asked about."""

    def handle(self, path: str, request: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            self.calls += 1
            self.requests.append(request)
        user = next(m["content"] for m in request["messages"] if m["role"] == "user")
        assert f"任务：{TASK}" in user
        asked = _PAIR.findall(user.split("候选对", 1)[1])
        same = [[a, b] for a, b in asked if a in GOLD and b in GOLD] + [["36kr-gold-1", "deadbeef"]]
        body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": json.dumps({"same": same})}}],
                "usage": {"prompt_tokens": 900, "completion_tokens": 30, "total_tokens": 930}}  # fmt: skip
        return 200, body, {}


def _judge(server: FakeLLM, store: Store, ledger: Ledger) -> LLMJudge:
    client = ChatClient(openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0), "aidaily-test")
    return LLMJudge(client, AnswerCache(store.collection("llm_cache")), ledger, model="aidaily-test", now=NOW)


def test_llm_gate_joins_what_it_confirms_and_a_rebuild_makes_no_calls(
    store: Store, kit: TokenizerKit, articles: list[dict[str, Any]]
) -> None:
    server = EventLLM().start()
    try:
        ledger = Ledger(model="aidaily-test")
        models = Models(judge=_judge(server, store, ledger))
        first = enrich(articles, [], kit=kit, settings=EnrichSettings(), now=NOW, models=models)
        calls = server.calls
        assert calls == 2  # one batched question per day (2026-01-19 and 01-20)
        cluster = {d: f["cluster_id"] for d, f in first.updates}
        assert {cluster[d] for d in GOLD} == {"c36kr-gold-1"}
        gold = next(c for c in first.clusters if c["_id"] == "c36kr-gold-1")
        assert gold["joined_by"] == {"36kr-gold-1": "seed", "aibase-gold-2": "llm", "ithome-gold-3": "llm"}
        assert cluster["36kr-byd"] == "c36kr-byd"  # nothing the model did not confirm is joined
        assert ledger.rejected >= 1  # the pair with an id that was not a candidate is ignored and counted
        again = enrich(articles, [], kit=kit, settings=EnrichSettings(), now=NOW, models=models)
        assert server.calls == calls and ledger.cache_hits == 2  # the rebuild is answered from the cache
        assert again.updates == first.updates and again.clusters == first.clusters
    finally:
        server.stop()


def test_an_unavailable_llm_falls_back_to_the_offline_rule(
    store: Store, kit: TokenizerKit, articles: list[dict[str, Any]]
) -> None:
    server = FakeLLM().start()
    server.behaviour.mode, server.behaviour.failures = "error500", -1
    try:
        ledger = Ledger(model="aidaily-test")
        client = ChatClient(
            openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0), "aidaily-test", extra_retries=0
        )
        judge = LLMJudge(client, AnswerCache(store.collection("llm_cache")), ledger, model="aidaily-test", now=NOW)
        result = enrich(articles, [], kit=kit, settings=EnrichSettings(), now=NOW, models=Models(judge=judge))
        offline = enrich(articles, [], kit=kit, settings=EnrichSettings(), now=NOW)
        assert result.updates == offline.updates and ledger.failures == 2
    finally:
        server.stop()


def test_answers_are_validated() -> None:
    candidates = {("a", "b"), ("b", "c")}
    assert parse_answer('{"same": [["b", "a"], ["a", "z"], "a b", ["c"]]}', candidates) == ({("a", "b")}, 3)
    assert parse_answer("not json", candidates) is None
    assert parse_answer('{"pairs": []}', candidates) is None
