"""The one module that speaks to an LLM: an OpenAI-compatible chat client, its answer cache and its ledger.

Any endpoint that implements ``/v1/chat/completions`` works (DeepSeek, Qwen/DashScope, Moonshot,
OpenAI, a local server). The client is built once from configuration and passed in.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import threading
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

import openai
import pydantic
from pymongo.collection import Collection

logger = logging.getLogger(__name__)

PRICES_FILE = Path(__file__).parent / "data" / "llm_prices.toml"
# Errors worth another try after the openai client's own retries: rate limits, server errors,
# timeouts and dropped connections. Anything else (bad key, bad request) fails at once.
_TRANSIENT = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError, openai.APIConnectionError)

Message = dict[str, str]


# An answer of a chat task is a few kilobytes; anything far larger is not an answer to our question
# (a proxy's page, a runaway generation) and is not parsed at all.
MAX_RESPONSE_BYTES = 1_000_000
MAX_ANSWER_CHARS = 20_000


class LLMUnavailable(Exception):
    """The endpoint did not answer after every retry."""


class MalformedCompletion(LLMUnavailable):
    """The endpoint answered, but not with a chat completion (an HTML page, plain text, the wrong JSON)."""


class _Message(pydantic.BaseModel):
    content: pydantic.StrictStr


class _Choice(pydantic.BaseModel):
    message: _Message


class _TokenDetails(pydantic.BaseModel):
    cached_tokens: pydantic.StrictInt | None = None


class _Usage(pydantic.BaseModel):
    prompt_tokens: pydantic.StrictInt = 0
    completion_tokens: pydantic.StrictInt = 0
    prompt_tokens_details: _TokenDetails | None = None


class _Envelope(pydantic.BaseModel):
    """The parts of a ``chat.completion`` body that aidaily reads, with their types enforced."""

    choices: list[_Choice] = pydantic.Field(min_length=1)
    usage: _Usage | None = None


@dataclass(frozen=True)
class LLMConfig:
    """Where and how to reach the endpoint; built from settings by the CLI."""

    base_url: str
    api_key: str
    model: str
    timeout: float = 60.0
    max_retries: int = 2
    concurrency: int = 4

    @property
    def configured(self) -> bool:
        return bool(self.base_url or self.api_key)


@dataclass(frozen=True)
class Completion:
    """One answer and what it cost."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0


class ChatClient:
    """Chat completions in JSON mode, with a second round of backoff on top of the client's retries."""

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        *,
        extra_retries: int = 1,
        backoff: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.model = model
        self.extra_retries = extra_retries
        self.backoff = backoff
        self._sleep = sleep

    def complete(self, messages: list[Message]) -> Completion:
        """The model's answer to ``messages``; raises ``LLMUnavailable`` when the endpoint keeps failing."""
        for attempt in range(self.extra_retries + 1):
            try:
                # The raw response, so that an answer which is not a completion (a proxy's HTML page, a
                # plain-text error) is judged here rather than surfacing as a str where an object was due.
                response = self.client.chat.completions.with_raw_response.create(  # type: ignore[call-overload]
                    model=self.model,
                    messages=messages,
                    response_format={"type": "json_object"},
                    temperature=0,
                )
            except _TRANSIENT as exc:
                if attempt == self.extra_retries:
                    raise LLMUnavailable(f"{type(exc).__name__}: {exc}") from exc
                delay = self.backoff * 2**attempt
                logger.warning("LLM call failed (%s), trying again in %.1fs", type(exc).__name__, delay)
                self._sleep(delay)
                continue
            except openai.APIStatusError as exc:
                raise LLMUnavailable(f"{type(exc).__name__}: {exc}") from exc
            http = response.http_response
            return parse_completion(http.content, http.headers.get("content-type", ""))
        raise AssertionError("unreachable")


def parse_completion(body: bytes, content_type: str = "") -> Completion:
    """The answer in a ``chat.completion`` body; raises ``MalformedCompletion`` for anything else."""
    if len(body) > MAX_RESPONSE_BYTES:
        raise MalformedCompletion(f"answer of {len(body)} bytes, over the {MAX_RESPONSE_BYTES} byte limit")
    try:
        envelope = _Envelope.model_validate_json(body)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        kind = content_type.split(";")[0].strip() or "no content type"
        start = body[:60].decode("utf-8", "replace").replace("\n", " ")
        raise MalformedCompletion(f"not a chat completion ({kind}; {where}: {first['msg']}; starts {start!r})") from exc
    text = envelope.choices[0].message.content
    if len(text) > MAX_ANSWER_CHARS:
        raise MalformedCompletion(f"answer of {len(text)} characters, over the {MAX_ANSWER_CHARS} limit")
    usage = envelope.usage or _Usage()
    details = usage.prompt_tokens_details
    return Completion(
        text=text,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cached_tokens=(details.cached_tokens or 0) if details else 0,
    )


def build_client(config: LLMConfig) -> ChatClient:
    """The chat client for ``config`` (a local server needs no key, but the client wants one)."""
    client = openai.OpenAI(
        base_url=config.base_url or None,
        api_key=config.api_key or "not-needed",
        timeout=config.timeout,
        max_retries=config.max_retries,
    )
    return ChatClient(client, config.model)


def cache_key(model: str, prompt_version: str, task: str, payload: Any, attempt: int) -> str:
    """Stable key of one question: the same model, prompt version and input give the same key."""
    blob = json.dumps([model, prompt_version, task, payload, attempt], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class AnswerCache:
    """Raw answers in the ``llm_cache`` collection, so rebuilding a report makes no calls."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self.collection = collection

    def get(self, key: str) -> str | None:
        doc = self.collection.find_one({"_id": key}, projection={"text": 1})
        return None if doc is None else str(doc["text"])

    def put(
        self, key: str, completion: Completion, *, model: str, task: str, prompt_version: str, now: datetime
    ) -> None:
        doc = {
            "_id": key,
            "text": completion.text,
            "model": model,
            "task": task,
            "prompt_version": prompt_version,
            "prompt_tokens": completion.prompt_tokens,
            "completion_tokens": completion.completion_tokens,
            "created_at": now,
        }
        self.collection.replace_one({"_id": key}, doc, upsert=True)


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens."""

    input: float
    output: float
    cached_input: float


def load_prices(path: Path = PRICES_FILE) -> dict[str, Price]:
    """The per-model price table (model-name prefix -> price), kept as data."""
    with path.open("rb") as fh:
        table = tomllib.load(fh)
    return {
        prefix: Price(input=row["input"], output=row["output"], cached_input=row.get("cached_input", row["input"]))
        for prefix, row in table["models"].items()
    }


def price_for(model: str, prices: Mapping[str, Price]) -> Price | None:
    """The price of the longest prefix of ``model`` in the table."""
    name = model.lower()
    matches = [p for p in prices if name.startswith(p.lower())]
    return prices[max(matches, key=len)] if matches else None


OUTCOMES = ("calls", "cache_hits", "failures", "malformed", "rejected")


@dataclass
class Ledger:
    """Calls, tokens, cache hits, failures and estimated cost of one commentary run (thread-safe).

    ``failures``: the endpoint did not answer; ``malformed``: it answered with something that is not
    a usable answer (not a completion, not JSON, wrong types); ``rejected``: a well-formed answer that
    broke a rule (a link, an id not in the input). ``by_task`` splits every count by task.
    """

    model: str
    calls: int = 0
    cache_hits: int = 0
    failures: int = 0
    malformed: int = 0
    rejected: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    by_task: dict[str, dict[str, int]] = field(default_factory=dict)
    first_problem: dict[str, str] = field(default_factory=dict)  # outcome -> "task: reason" of its first case
    replaced: dict[str, int] = field(default_factory=dict)  # generated fields replaced by extractive text, by field
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record_call(self, completion: Completion, task: str | None = None) -> None:
        with self._lock:
            self.calls += 1
            self.prompt_tokens += completion.prompt_tokens
            self.completion_tokens += completion.completion_tokens
            self.cached_tokens += completion.cached_tokens
            self._count_task(task, "calls")

    def record(self, what: str, task: str | None = None, reason: str | None = None) -> None:
        """Count a cache hit, a failed call, a malformed or a rejected answer (for ``task``, if given)."""
        if what not in OUTCOMES:
            raise ValueError(f"unknown ledger outcome {what!r}")
        with self._lock:
            setattr(self, what, getattr(self, what) + 1)
            self._count_task(task, what)
            if reason is not None and what not in self.first_problem:
                self.first_problem[what] = f"{task or 'call'}: {reason}"

    def record_replaced(self, what: str) -> None:
        """Count one generated field (a label, a heading, …) that failed its check and was replaced."""
        with self._lock:
            self.replaced[what] = self.replaced.get(what, 0) + 1

    def _count_task(self, task: str | None, what: str) -> None:
        if task is not None:
            counts = self.by_task.setdefault(task, dict.fromkeys(OUTCOMES, 0))
            counts[what] += 1

    def cost(self, prices: Mapping[str, Price]) -> float | None:
        """Estimated US dollars, or None for a model missing from the price table."""
        price = price_for(self.model, prices)
        if price is None:
            return None
        fresh = self.prompt_tokens - self.cached_tokens
        total = fresh * price.input + self.cached_tokens * price.cached_input + self.completion_tokens * price.output
        return round(total / 1_000_000, 6)

    def summary(self, prices: Mapping[str, Price]) -> str:
        """The run in one line, with the first failure or malformed answer, if any, quoted."""
        cost = self.cost(prices)
        cost_text = f"${cost:.4f}" if cost is not None else "unknown (model not in the price table)"
        line = (
            f"llm {self.model}: {self.calls} calls, {self.cache_hits} cache hits, {self.failures} failed, "
            f"{self.malformed} malformed, {self.rejected} answers rejected; tokens {self.prompt_tokens} prompt "
            f"({self.cached_tokens} cached by the provider) + {self.completion_tokens} completion; "
            f"estimated cost {cost_text}"
        )
        if self.replaced:
            fields_text = ", ".join(f"{name} {count}" for name, count in sorted(self.replaced.items()))
            line += f"; {sum(self.replaced.values())} fields replaced by extractive text ({fields_text})"
        for what, label in (("failures", "first failure"), ("malformed", "first malformed answer")):
            if what in self.first_problem:
                line += f"; {label}: {_one_line(self.first_problem[what])}"
        return line

    def to_doc(self, prices: Mapping[str, Price]) -> dict[str, Any]:
        with self._lock:
            doc: dict[str, Any] = {
                f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self) if not f.name.startswith("_")
            }
        doc["estimated_cost_usd"] = self.cost(prices)
        return doc


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def record_run(
    collection: Collection[dict[str, Any]],
    ledger: Ledger,
    prices: Mapping[str, Price],
    *,
    run_id: str,
    day: str,
    started_at: datetime,
    finished_at: datetime,
    task: str = "commentary",
) -> None:
    """Store one run's ledger in ``llm_runs`` (``task``: what the calls were for, commentary or event_join)."""
    doc = {"_id": run_id, "date": day, "task": task, "started_at": started_at, "finished_at": finished_at}
    doc |= ledger.to_doc(prices)
    collection.replace_one({"_id": run_id}, doc, upsert=True)
