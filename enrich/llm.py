"""The one module that speaks to an LLM: an OpenAI-compatible chat client, its answer cache and its ledger.

Any endpoint that implements ``/v1/chat/completions`` works (DeepSeek, Qwen/DashScope, Moonshot,
OpenAI, a local server). The client is built once from configuration and passed in.
"""

from __future__ import annotations

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
from pymongo.collection import Collection

logger = logging.getLogger(__name__)

PRICES_FILE = Path(__file__).parent / "data" / "llm_prices.toml"
# Errors worth another try after the openai client's own retries: rate limits, server errors,
# timeouts and dropped connections. Anything else (bad key, bad request) fails at once.
_TRANSIENT = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError, openai.APIConnectionError)

Message = dict[str, str]


class LLMUnavailable(Exception):
    """The endpoint did not answer after every retry."""


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
                response = self.client.chat.completions.create(  # type: ignore[call-overload]
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
            return _completion(response)
        raise AssertionError("unreachable")


def _completion(response: Any) -> Completion:
    text = response.choices[0].message.content if response.choices else ""
    usage = response.usage
    cached = 0
    if usage is not None and getattr(usage, "prompt_tokens_details", None) is not None:
        cached = usage.prompt_tokens_details.cached_tokens or 0
    return Completion(
        text=text or "",
        prompt_tokens=usage.prompt_tokens if usage else 0,
        completion_tokens=usage.completion_tokens if usage else 0,
        cached_tokens=cached,
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


@dataclass
class Ledger:
    """Calls, tokens, cache hits and estimated cost of one commentary run (thread-safe)."""

    model: str
    calls: int = 0
    cache_hits: int = 0
    failures: int = 0
    rejected: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record_call(self, completion: Completion) -> None:
        with self._lock:
            self.calls += 1
            self.prompt_tokens += completion.prompt_tokens
            self.completion_tokens += completion.completion_tokens
            self.cached_tokens += completion.cached_tokens

    def record(self, what: str) -> None:
        """Count a cache hit, a failed call or a rejected answer."""
        with self._lock:
            setattr(self, what, getattr(self, what) + 1)

    def cost(self, prices: Mapping[str, Price]) -> float | None:
        """Estimated US dollars, or None for a model missing from the price table."""
        price = price_for(self.model, prices)
        if price is None:
            return None
        fresh = self.prompt_tokens - self.cached_tokens
        total = fresh * price.input + self.cached_tokens * price.cached_input + self.completion_tokens * price.output
        return round(total / 1_000_000, 6)

    def summary(self, prices: Mapping[str, Price]) -> str:
        cost = self.cost(prices)
        cost_text = f"${cost:.4f}" if cost is not None else "unknown (model not in the price table)"
        return (
            f"llm {self.model}: {self.calls} calls, {self.cache_hits} cache hits, {self.failures} failed, "
            f"{self.rejected} answers rejected; tokens {self.prompt_tokens} prompt "
            f"({self.cached_tokens} cached by the provider) + {self.completion_tokens} completion; "
            f"estimated cost {cost_text}"
        )

    def to_doc(self, prices: Mapping[str, Price]) -> dict[str, Any]:
        with self._lock:
            doc: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}
        doc["estimated_cost_usd"] = self.cost(prices)
        return doc


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
