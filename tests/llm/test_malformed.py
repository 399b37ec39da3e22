"""Answers that are not valid completions fall back to extractive text, counted, never raised."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crawler.store import Store
from enrich.commentary import extractive_notes
from enrich.llm import MAX_ANSWER_CHARS, MAX_RESPONSE_BYTES, MalformedCompletion, load_prices, parse_completion
from tests.llm.fake_openai import Behaviour, FakeLLM, _completion
from tests.llm.test_commentary import STORY, commentator


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


CAPTIVE_PORTAL = (
    b"<!DOCTYPE html><html><head><title>Wi-Fi Login</title></head>"
    b"<body><form action='/login'>Please sign in</form></body></html>"
)
BODIES = {
    "html page": (CAPTIVE_PORTAL, "text/html; charset=utf-8"),
    "html page labelled json": (CAPTIVE_PORTAL, "application/json"),
    "plain text": (b"upstream connect error or disconnect/reset before headers", "text/plain"),
    "empty body": (b"", "application/json"),
    "json of another shape": (_json({"status": "ok", "data": {"text": "hi"}}), "application/json"),
    "json list": (_json([{"message": {"content": "{}"}}]), "application/json"),
    "empty choices": (_json({"choices": []}), "application/json"),
    "choice without message": (_json({"choices": [{"index": 0, "finish_reason": "stop"}]}), "application/json"),
    "null content": (
        _json({"choices": [{"message": {"role": "assistant", "content": None, "refusal": "no"}}]}),
        "application/json",
    ),
    "content of the wrong type": (_json({"choices": [{"message": {"content": {"summary": "x"}}}]}), "application/json"),
    "usage of the wrong type": (
        _json({**_completion('{"a": "b"}'), "usage": {"prompt_tokens": "many"}}),
        "application/json",
    ),
    "huge body": (_json(_completion("x" * (MAX_RESPONSE_BYTES + 10))), "application/json"),
    "huge answer": (_json(_completion("{" + "x" * (MAX_ANSWER_CHARS + 10) + "}")), "application/json"),
}


@pytest.mark.parametrize("name", list(BODIES))
def test_a_body_that_is_not_a_completion_is_malformed(name: str) -> None:
    body, content_type = BODIES[name]
    with pytest.raises(MalformedCompletion):
        parse_completion(body, content_type)


def test_a_completion_parses_with_its_usage() -> None:
    completion = parse_completion(_json(_completion('{"a": "b"}')), "application/json")
    assert completion.text == '{"a": "b"}'
    assert (completion.prompt_tokens, completion.completion_tokens, completion.cached_tokens) == (1000, 200, 400)
    bare = parse_completion(_json({"choices": [{"message": {"content": "{}"}}]}))
    assert bare.text == "{}" and bare.prompt_tokens == 0


@pytest.mark.parametrize("name", ["html page", "plain text", "empty choices", "null content", "huge body"])
def test_a_malformed_answer_falls_back_with_a_count(fake_llm: FakeLLM, store: Store, name: str) -> None:
    body, content_type = BODIES[name]
    fake_llm.behaviour = Behaviour(mode="raw", failures=-1, body=body, content_type=content_type)
    writer = commentator(fake_llm, store)
    day = writer.write([STORY], [STORY.id])
    assert day.stories[STORY.id] == extractive_notes(STORY)
    assert day.fallbacks == 2  # the story and the day
    ledger = writer.ledger
    assert ledger is not None and ledger.malformed == 2 and ledger.failures == 0 and ledger.calls == 0
    assert ledger.by_task["story"]["malformed"] == 1 and ledger.by_task["day"]["malformed"] == 1
    assert fake_llm.calls == 2, "a page that is not a completion is not asked again"
    assert store.collection("llm_cache").count_documents({}) == 0, "nor cached"
    line = ledger.summary(load_prices())
    assert "\n" not in line and "2 malformed" in line and "first malformed answer: story: " in line
    reason = "over the 1000000 byte limit" if name == "huge body" else "not a chat completion"
    assert reason in ledger.first_problem["malformed"]
    assert ledger.to_doc(load_prices())["by_task"]["story"]["malformed"] == 1


def test_wrong_types_inside_the_answer_are_malformed(fake_llm: FakeLLM, store: Store) -> None:
    fake_llm.answerer = lambda request: {"headline": 1, "summary": ["not", "text"], "key_points": "none"}
    writer = commentator(fake_llm, store)
    day = writer.write([STORY], [STORY.id])
    assert day.stories[STORY.id] == extractive_notes(STORY)
    assert writer.ledger is not None and writer.ledger.malformed == 4  # story and day, each asked twice
    assert writer.ledger.rejected == 0


def test_report_survives_a_captive_portal(
    store: Store, mongo_uri: str, db_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`aidaily report` against an endpoint that answers every call with a login page: a report, one line."""
    from tests.reports.cli import Cli, isolate_settings
    from tests.reports.fixture_day import DAY, insert_day

    isolate_settings(monkeypatch, db_name)
    insert_day(store)
    portal = FakeLLM(behaviour=Behaviour(mode="raw", failures=-1, body=CAPTIVE_PORTAL, content_type="text/html"))
    portal.start()
    try:
        args = ("report", "--date", DAY, "--style", "digest", "--base-url", portal.base_url, "--model", "aidaily-test")
        result = Cli(mongo_uri)(*args)
    finally:
        portal.stop()
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "AttributeError" not in result.output
    assert "# " in result.stdout and "因回答无效或服务不可用改用原文摘录" in result.stdout
    lines = [row for row in result.stderr.splitlines() if row.startswith("llm aidaily-test:")]
    assert len(lines) == 1 and " malformed, " in lines[0] and " 0 malformed" not in lines[0]
    assert "first malformed answer" in lines[0] and "text/html" in lines[0]
    run = store.collection("llm_runs").find_one({})
    assert run is not None and run["malformed"] > 0 and run["by_task"]["story"]["malformed"] > 0
