"""The LLM gate of the event join: one cached, batched question per day about that day's candidate pairs.

The model is shown the day's candidate articles (id, source, title, lead) and the candidate pairs, and answers
with article ids only: ``{"same": [["id1", "id2"], ...]}``. An answer is validated like the commentary's: a
pair that was not among the candidates, or a malformed entry, is ignored and counted as rejected. An
unavailable endpoint or an unreadable answer falls back to the offline rule for that day (counted as failed).
Answers are cached by model, prompt version and question, so rebuilding a day makes no calls.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from enrich.llm import AnswerCache, ChatClient, Ledger, LLMUnavailable, cache_key

logger = logging.getLogger(__name__)

PROMPT_VERSION = "event-join-1"
TASK = "event_join"
MAX_PAIRS = 400  # a bigger day is asked in several batches
SYSTEM = (
    "你是新闻编辑。判断每一对候选文章是否报道同一个事件：同一次发布、公告、融资、财报、讲话或事故。"
    "同一公司的不同事件、同一产品的不同版本、不同金额、不同日期的行情都不是同一事件；综述、早报不与任何单条新闻同一事件。"
    '只用 JSON 回答：{"same": [["文章id", "文章id"], ...]}，只列出确定是同一事件的候选对，只写文章 id，不写别的。'
)


@dataclass(frozen=True)
class Article:
    """What the model is shown of one candidate article."""

    id: str
    source: str
    title: str
    lead: str


class LLMJudge:
    """Asks the model which candidate pairs report one event; ``name`` is recorded on the members it joins."""

    name = "llm"

    def __init__(self, client: ChatClient, cache: AnswerCache, ledger: Ledger, *, model: str, now: datetime) -> None:
        self.client = client
        self.cache = cache
        self.ledger = ledger
        self.model = model
        self.now = now

    def __call__(
        self, day: date, articles: Mapping[str, Article], pairs: Sequence[tuple[str, str]]
    ) -> set[tuple[str, str]] | None:
        """The pairs (as given) the model says are one event; None when it could not be asked."""
        ordered = sorted({_key(a, b) for a, b in pairs})
        same: set[tuple[str, str]] = set()
        for start in range(0, len(ordered), MAX_PAIRS):
            batch = ordered[start : start + MAX_PAIRS]
            answer = self._ask(day, articles, batch)
            if answer is None:
                return None
            same |= answer
        return {(a, b) for a, b in pairs if _key(a, b) in same}

    def _ask(
        self, day: date, articles: Mapping[str, Article], batch: Sequence[tuple[str, str]]
    ) -> set[tuple[str, str]] | None:
        ids = sorted({i for pair in batch for i in pair})
        payload = {
            "day": day.isoformat(),
            "articles": [[i, articles[i].source, articles[i].title, articles[i].lead] for i in ids],
            "pairs": [list(p) for p in batch],
        }
        key = cache_key(self.model, PROMPT_VERSION, TASK, payload, 0)
        text = self.cache.get(key)
        if text is None:
            try:
                completion = self.client.complete(_messages(payload))
            except LLMUnavailable as exc:
                logger.warning("event join: LLM unavailable for %s (%s); offline rule used", day, exc)
                self.ledger.record("failures")
                return None
            self.ledger.record_call(completion)
            text = completion.text
            parsed = parse_answer(text, set(batch))
            if parsed is None:
                self.ledger.record("failures")
                return None
            self.cache.put(key, completion, model=self.model, task=TASK, prompt_version=PROMPT_VERSION, now=self.now)
        else:
            self.ledger.record("cache_hits")
            parsed = parse_answer(text, set(batch))
            if parsed is None:
                return None
        same, rejected = parsed
        for _ in range(rejected):
            self.ledger.record("rejected")
        return same


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _messages(payload: Mapping[str, object]) -> list[dict[str, str]]:
    articles = "\n".join(
        f'<article id="{i}" source="{source}">\n标题：{title}\n导语：{lead}\n</article>'
        for i, source, title, lead in payload["articles"]  # type: ignore[attr-defined]
    )
    pairs = "\n".join(f"{a} {b}" for a, b in payload["pairs"])  # type: ignore[attr-defined]
    user = f"任务：{TASK}\n日期：{payload['day']}\n{articles}\n候选对（每行两个文章 id）：\n{pairs}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def parse_answer(text: str, candidates: set[tuple[str, str]]) -> tuple[set[tuple[str, str]], int] | None:
    """(accepted pairs, rejected entries) from the model's text; None when it is not the JSON asked for."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("same"), list):
        return None
    accepted: set[tuple[str, str]] = set()
    rejected = 0
    for entry in data["same"]:
        if (
            isinstance(entry, list)
            and len(entry) == 2
            and all(isinstance(i, str) for i in entry)
            and _key(entry[0], entry[1]) in candidates
        ):
            accepted.add(_key(entry[0], entry[1]))
        else:
            rejected += 1
    return accepted, rejected
