"""Commentary against the local OpenAI-compatible server: caching, retries, timeouts, malformed answers, the ledger."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawler.dates import SHANGHAI
from crawler.store import Store
from enrich.commentary import Commentator, StoryInput, extractive_notes
from enrich.llm import AnswerCache, ChatClient, Ledger, LLMConfig, build_client, load_prices, price_for
from enrich.prompts import SourceArticle
from tests.llm.fake_openai import Behaviour, FakeLLM

BODY = (
    "1月20日，深度求索正式发布新一代大模型DeepSeek-V4，并同步开源模型权重。\n"
    "官方介绍，DeepSeek-V4采用混合专家架构，总参数量为1.2万亿，上下文长度扩展到256K。\n"
    "在代码基准SWE-bench Verified上，DeepSeek-V4的得分为71.2%，较上一代提升9.6个百分点。\n"
    "与此同时，深度求索宣布API价格下调50%，输入价格降至每百万词元1元。\n"
    "多家云厂商当天宣布接入DeepSeek-V4，开发者可以直接调用。"
)
STORY = StoryInput(
    id="c-ds",
    articles=(SourceArticle("a1b2c3d4e5f60718", "量子位", "DeepSeek发布V4模型", BODY),),
    summary=BODY.split("\n")[0],
    keywords=("DeepSeek-V4", "深度求索", "混合专家"),
    category="技术底座",
    deep=True,
)
NOW = datetime(2026, 1, 20, 18, 0, tzinfo=SHANGHAI)


def commentator(fake: FakeLLM, store: Store, *, timeout: float = 5.0, max_retries: int = 2) -> Commentator:
    config = LLMConfig(
        base_url=fake.base_url, api_key="", model="aidaily-test", timeout=timeout, max_retries=max_retries
    )
    client = build_client(config)
    client.backoff = 0.01  # the second round of backoff, kept short in tests
    return Commentator(
        client, AnswerCache(store.collection("llm_cache")), Ledger(model="aidaily-test"), concurrency=2, now=lambda: NOW
    )


def test_written_grounded_and_cached(fake_llm: FakeLLM, store: Store) -> None:
    first = commentator(fake_llm, store)
    day = first.write([STORY], [STORY.id])
    notes = day.stories[STORY.id]
    assert notes.generated and notes.summary.startswith("1月20日，深度求索正式发布")
    assert notes.analysis and notes.impacts
    assert day.model == "aidaily-test" and day.grounding.share == 1.0
    assert fake_llm.calls == 3  # story, deep, day
    assert first.ledger is not None and first.ledger.calls == 3 and first.ledger.prompt_tokens == 3000
    second = commentator(fake_llm, store)
    again = second.write([STORY], [STORY.id])
    assert fake_llm.calls == 3, "cached answers must not be asked again"
    assert again.stories[STORY.id] == notes
    assert second.ledger is not None and second.ledger.cache_hits == 3 and second.ledger.calls == 0


def test_server_errors_are_retried(fake_llm: FakeLLM, store: Store) -> None:
    fake_llm.behaviour = Behaviour(mode="error500", failures=2)
    notes = commentator(fake_llm, store).write([STORY], [STORY.id]).stories[STORY.id]
    assert notes.generated
    assert fake_llm.calls == 5  # two 500s answered by the client's own retries, then three answers


def test_rate_limits_are_retried(fake_llm: FakeLLM, store: Store) -> None:
    fake_llm.behaviour = Behaviour(mode="error429", failures=3)
    notes = commentator(fake_llm, store, max_retries=1).write([STORY], [STORY.id]).stories[STORY.id]
    # The client's own retry answers the second 429; our second round (after backoff) outlasts the third.
    assert notes.generated
    assert fake_llm.calls == 3 + 3


def test_an_endpoint_that_keeps_failing_falls_back_to_extractive(fake_llm: FakeLLM, store: Store) -> None:
    fake_llm.behaviour = Behaviour(mode="error500", failures=-1)
    writer = commentator(fake_llm, store, max_retries=1)
    day = writer.write([STORY], [STORY.id])
    assert day.stories[STORY.id] == extractive_notes(STORY)
    assert day.fallbacks == 2  # the story and the day
    assert writer.ledger is not None and writer.ledger.failures == 2
    assert store.collection("llm_cache").count_documents({}) == 0  # failures are not cached


def test_an_answer_that_never_comes_times_out_and_falls_back(fake_llm: FakeLLM, store: Store) -> None:
    # The server holds every request until the test ends (no answer can win a race with the timeout).
    fake_llm.behaviour = Behaviour(mode="hang", failures=-1)
    writer = commentator(fake_llm, store, timeout=0.5, max_retries=0)
    day = writer.write([STORY], [STORY.id])
    assert day.stories[STORY.id] == extractive_notes(STORY)
    assert writer.ledger is not None and writer.ledger.failures == 2
    assert writer.ledger.by_task["story"]["failures"] == 1 and writer.ledger.by_task["day"]["failures"] == 1
    assert "APITimeoutError" in writer.ledger.first_problem["failures"]
    assert fake_llm.waiting.acquire(blocking=False), "the requests reached the server and were held there"
    assert store.collection("llm_cache").count_documents({}) == 0


def test_a_malformed_answer_is_asked_once_more(fake_llm: FakeLLM, store: Store) -> None:
    fake_llm.behaviour = Behaviour(mode="malformed", failures=1)
    writer = commentator(fake_llm, store)
    notes = writer.write([STORY], [STORY.id]).stories[STORY.id]
    assert notes.generated
    assert writer.ledger is not None and writer.ledger.malformed == 1 and writer.ledger.rejected == 0
    assert writer.ledger.by_task["story"]["malformed"] == 1
    retry = next(r for r in fake_llm.requests if len(r["messages"]) == 3)
    assert "上一次的回答无效" in retry["messages"][2]["content"]
    calls = fake_llm.calls
    commentator(fake_llm, store).write([STORY], [STORY.id])
    assert fake_llm.calls == calls  # the rejected answer and its retry both come from the cache


def test_always_malformed_falls_back_after_one_retry(fake_llm: FakeLLM, store: Store) -> None:
    fake_llm.behaviour = Behaviour(mode="malformed", failures=-1)
    day = commentator(fake_llm, store).write([STORY], [STORY.id])
    assert day.stories[STORY.id].summary == extractive_notes(STORY).summary
    # story and day: the question and one retry each; no deep analysis without a valid story answer
    assert fake_llm.calls == 2 * 2


def test_no_client_is_extractive_and_invents_nothing() -> None:
    day = Commentator(None).write([STORY], [STORY.id])
    notes = day.stories[STORY.id]
    assert day.model is None and not notes.analysis and not notes.impacts
    assert notes.summary.startswith("1月20日，深度求索正式发布新一代大模型DeepSeek-V4")
    # labels are a name and its action, or the clause holding the name, from the sentence (never a bare keyword)
    labels = [p.label for p in notes.key_points]
    assert labels == ["深度求索发布 DeepSeek-V4", "DeepSeek-V4采用混合专家架构", "深度求索下调50%"]
    assert all(p.label.split()[0][:4] in p.text for p in notes.key_points)


def test_ledger_cost_comes_from_the_price_table() -> None:
    prices = load_prices()
    assert price_for("deepseek-chat", prices) is not None and price_for("no-such-model", prices) is None
    ledger = Ledger(model="aidaily-test", prompt_tokens=1_000_000, cached_tokens=400_000, completion_tokens=500_000)
    assert ledger.cost(prices) == pytest.approx(0.6 + 0.2 + 1.0)
    assert Ledger(model="no-such-model").cost(prices) is None
    assert "estimated cost unknown" in Ledger(model="no-such-model").summary(prices)


def test_the_client_is_in_json_mode(fake_llm: FakeLLM) -> None:
    client = build_client(LLMConfig(base_url=fake_llm.base_url, api_key="", model="aidaily-test"))
    assert isinstance(client, ChatClient)
    client.complete(
        [
            {"role": "system", "content": "s"},
            {
                "role": "user",
                "content": "任务：story\n" + '<article id="a" source="s">\n标题：t\n一句足够长的正文内容。\n</article>',
            },
        ]
    )
    request = fake_llm.requests[-1]
    assert request["response_format"] == {"type": "json_object"} and request["model"] == "aidaily-test"
