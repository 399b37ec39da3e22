"""Commentary for a day's stories: LLM-written and grounded when an endpoint is configured, extractive otherwise.

Every LLM answer goes through the same gate: valid JSON in the task's schema, only ids that
were in the input, no links; a rejected answer is asked once more, then the story falls back
to extractive text. What passes is grounded sentence by sentence against the stored article
text (``enrich.grounding``), so nothing the sources do not say reaches a report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from crawler.summary import summarize
from crawler.text import lead
from enrich.categorize import CATEGORIES
from enrich.extractive import key_points, overview
from enrich.grounding import (
    ANALYSIS_THRESHOLD,
    GroundingTally,
    Source,
    ground,
    short_supported,
    without_directives,
)
from enrich.llm import AnswerCache, ChatClient, Ledger, LLMUnavailable, MalformedCompletion, cache_key
from enrich.prompts import (
    PROMPT_VERSION,
    AnswerMalformed,
    AnswerRejected,
    SourceArticle,
    day_messages,
    parse_answer,
    retry_messages,
    story_messages,
    validate_day,
    validate_deep,
    validate_story,
)

logger = logging.getLogger(__name__)

MIN_SUMMARY_CHARS = 40
# Short fields: a little over what the prompts ask for (labels and 影响 "who" 2–8, headings 4–12).
LABEL_CHARS = 12
WHO_CHARS = 12
HEADING_CHARS = 16
ENTITY_CHARS = 30
FALLBACK_LABEL = "要点"
# Section words (and the characters that join them) a topic heading may use besides its stories' text.
TOPIC_VOCABULARY = (
    *CATEGORIES,
    *("模型", "技术", "产业", "应用", "研究", "产品", "开源", "融资", "政策", "安全", "芯片"),
    *("与", "和", "及"),
)
MAX_SUMMARY_CHARS = 300  # a longer answer is cut at a sentence end; the prompt asks for 100–200


# Why a story's notes are extractive: no valid answer came, or grounding left its summary too short.
FallBack = Literal["", "failed", "unsupported"]


@dataclass(frozen=True)
class StoryInput:
    """One event of the day as commentary sees it: its articles (lead first) and enrichment fields."""

    id: str
    articles: tuple[SourceArticle, ...]
    summary: str
    keywords: tuple[str, ...] = ()
    category: str = "行业动态"
    deep: bool = False

    @property
    def lead(self) -> SourceArticle:
        return self.articles[0]


@dataclass(frozen=True)
class KeyPoint:
    label: str
    text: str


@dataclass(frozen=True)
class Impact:
    who: str
    text: str


@dataclass
class StoryNotes:
    """What a report says about one story."""

    headline: str
    summary: str
    key_points: list[KeyPoint] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    analysis: list[str] = field(default_factory=list)
    impacts: list[Impact] = field(default_factory=list)
    generated: bool = False


@dataclass(frozen=True)
class Highlight:
    text: str
    story_id: str


@dataclass(frozen=True)
class Topic:
    heading: str
    story_ids: tuple[str, ...]


@dataclass
class DayNotes:
    """Commentary for a whole day; ``model`` is None when it is extractive."""

    title: str
    overview: str
    highlights: list[Highlight]
    topics: list[Topic]
    stories: dict[str, StoryNotes]
    model: str | None = None
    grounding: GroundingTally = field(default_factory=GroundingTally)
    fallbacks: int = 0  # parts (a story's notes, the day's) printed as extractive text instead
    unsupported: int = 0  # of those, answers that came but whose summary grounding cut too short


def extractive_summary(story: StoryInput) -> str:
    """The story's summary (``crawler.summary``: 100–300 characters of whole sentences), else its title."""
    # Sentences addressed to a model are not news: they stay out of extractive text as out of grounding.
    return summarize(without_directives(story.lead.body), without_directives(story.summary)) or story.lead.title


def extractive_notes(story: StoryInput) -> StoryNotes:
    """Story notes made of the article's own sentences, each key point labelled "entity + action"."""
    summary = extractive_summary(story)
    points = [
        KeyPoint(label=label, text=text)
        for label, text in key_points(without_directives(story.lead.body), story.keywords, story.lead.title)
    ]
    entities = [k for k in story.keywords if k in summary][:4]
    return StoryNotes(headline=story.lead.title, summary=summary, key_points=points, entities=entities)


def extractive_day(stories: Sequence[StoryInput], notes: Mapping[str, StoryNotes]) -> DayNotes:
    """Day notes from the most important stories: their titles, and one sentence of each for the overview."""
    top = list(stories)
    topics = [Topic(heading=cat, story_ids=tuple(s.id for s in top if s.category == cat)) for cat in CATEGORIES]
    return DayNotes(
        title=top[0].lead.title if top else "",
        overview=overview(notes[s.id].summary for s in top),
        highlights=[Highlight(text=s.lead.title, story_id=s.id) for s in top[:10]],
        topics=[t for t in topics if t.story_ids],
        stories=dict(notes),
    )


def _source(story: StoryInput) -> Source:
    return Source(t for a in story.articles for t in (a.title, a.body))


def _fallback_label(text: str, story: StoryInput) -> str:
    """A key point's label when the model's is not grounded: a keyword the point contains, or 要点."""
    return next((k for k in story.keywords if k and k in text), FALLBACK_LABEL)


def _main_category(stories: Sequence[StoryInput]) -> str:
    """The category most of ``stories`` have (ties: the order of ``CATEGORIES``)."""
    counts = {c: sum(s.category == c for s in stories) for c in CATEGORIES}
    best = max(CATEGORIES, key=lambda c: counts[c])
    return best if counts[best] else (stories[0].category if stories else CATEGORIES[0])


def _whole(text: str, source: Source, tally: GroundingTally) -> str:
    """``text`` if every one of its sentences is grounded, else empty (a headline is not printed in part)."""
    kept, t = ground(text, source)
    tally.add(t)
    return kept if t.kept == t.total else ""


class Commentator:
    """Writes a day's commentary through ``client`` (None: extractive), caching every answer."""

    def __init__(
        self,
        client: ChatClient | None,
        cache: AnswerCache | None = None,
        ledger: Ledger | None = None,
        *,
        concurrency: int = 4,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        if client is not None and (cache is None or ledger is None):
            raise ValueError("an LLM client needs an answer cache and a ledger")
        self.client = client
        self.cache = cache
        self.ledger = ledger
        self.concurrency = max(1, concurrency)
        self._now = now or (lambda: datetime.now().astimezone())

    def write(self, stories: Sequence[StoryInput], day_stories: Sequence[str]) -> DayNotes:
        """Notes for every story, and the day's title, overview, highlights and topics over ``day_stories``."""
        by_id = {s.id: s for s in stories}
        ranked = [by_id[i] for i in day_stories if i in by_id]
        if self.client is None:
            return extractive_day(ranked, {s.id: extractive_notes(s) for s in stories})
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            results = list(pool.map(self._story, stories))
        notes = {s.id: r[0] for s, r in zip(stories, results, strict=True)}
        tally = GroundingTally()
        for _, story_tally, _ in results:
            tally.add(story_tally)
        day, day_written = self._day(ranked, notes, tally)
        day.model = self.client.model
        day.grounding = tally
        # The footer names the two causes apart: a failed or invalid answer, or one grounding cut short.
        day.fallbacks = sum(r[2] != "" for r in results) + (0 if day_written else 1)
        day.unsupported = sum(r[2] == "unsupported" for r in results)
        return day

    def _ask(
        self, task: str, messages: list[dict[str, str]], validate: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> dict[str, Any] | None:
        """The validated answer to ``messages``, asked again once if rejected; None: use extractive text."""
        assert self.client is not None and self.cache is not None and self.ledger is not None
        model = self.client.model
        asked = messages
        for attempt in (0, 1):
            key = cache_key(model, PROMPT_VERSION, task, messages, attempt)
            text = self.cache.get(key)
            if text is None:
                try:
                    completion = self.client.complete(asked)
                except MalformedCompletion as exc:
                    # Not cached and not asked again: a proxy page or a broken endpoint answers alike.
                    self.ledger.record("malformed", task, str(exc))
                    logger.debug("LLM %s answer is not a completion, using extractive text: %s", task, exc)
                    return None
                except LLMUnavailable as exc:
                    self.ledger.record("failures", task, str(exc))
                    logger.debug("LLM %s task failed, using extractive text: %s", task, exc)
                    return None
                self.ledger.record_call(completion, task)
                self.cache.put(key, completion, model=model, task=task, prompt_version=PROMPT_VERSION, now=self._now())
                text = completion.text
            else:
                self.ledger.record("cache_hits", task)
            try:
                return validate(parse_answer(text))
            except AnswerRejected as exc:
                what = "malformed" if isinstance(exc, AnswerMalformed) else "rejected"
                self.ledger.record(what, task, str(exc))
                logger.debug("LLM %s answer %s (attempt %d): %s", task, what, attempt + 1, exc)
                asked = retry_messages(messages, str(exc))
        return None

    def _replaced(self, what: str) -> None:
        assert self.ledger is not None
        self.ledger.record_replaced(what)

    def _story(self, story: StoryInput) -> tuple[StoryNotes, GroundingTally, FallBack]:
        """The story's notes, the grounding of its answer, and why it fell back ("", "failed", "unsupported")."""
        ids = {a.id for a in story.articles}
        fallback = extractive_notes(story)
        answer = self._ask("story", story_messages("story", story.articles), lambda a: validate_story(a, ids))
        if answer is None:
            return fallback, GroundingTally(), "failed"
        source = _source(story)
        tally = GroundingTally()
        summary, t = ground(answer["summary"], source)
        tally.add(t)
        headline = _whole(answer["headline"], source, tally)
        if not headline:
            self._replaced("headline")
        points = []
        for point in answer["key_points"]:
            text = _whole(point["text"], source, tally)
            if not text:
                continue
            label = point["label"]
            if not short_supported(label, source, max_chars=LABEL_CHARS):
                self._replaced("label")
                label = _fallback_label(text, story)
            points.append(KeyPoint(label=label, text=text))
        source_text = "\n".join(without_directives(f"{a.title}\n{a.body}") for a in story.articles)
        entities = []
        for entity in answer["entities"]:
            if entity in source_text and short_supported(entity, source, max_chars=ENTITY_CHARS):
                entities.append(entity)
            else:
                self._replaced("entity")
        fell_back = len(summary) < MIN_SUMMARY_CHARS
        notes = StoryNotes(
            headline=headline or story.lead.title,
            summary=fallback.summary if fell_back else lead(summary, MAX_SUMMARY_CHARS),
            key_points=points or fallback.key_points,
            entities=entities or fallback.entities,
            generated=not fell_back,
        )
        if story.deep:
            self._deep(story, notes, source, tally)
        return notes, tally, "unsupported" if fell_back else ""

    def _deep(self, story: StoryInput, notes: StoryNotes, source: Source, tally: GroundingTally) -> None:
        ids = {a.id for a in story.articles}
        answer = self._ask("deep", story_messages("deep", story.articles), lambda a: validate_deep(a, ids))
        if answer is None:
            return
        for paragraph in answer["analysis"]:
            text, t = ground(paragraph, source, threshold=ANALYSIS_THRESHOLD)
            tally.add(t)
            if text:
                notes.analysis.append(text)
        for impact in answer["impacts"]:
            text, t = ground(impact["text"], source, threshold=ANALYSIS_THRESHOLD)
            tally.add(t)
            if not text:
                continue
            if not short_supported(impact["who"], source, max_chars=WHO_CHARS):
                self._replaced("who")  # no extractive "who" exists: the impact is left out
                continue
            notes.impacts.append(Impact(who=impact["who"], text=text))

    def _day(
        self, ranked: Sequence[StoryInput], notes: dict[str, StoryNotes], tally: GroundingTally
    ) -> tuple[DayNotes, bool]:
        fallback = extractive_day(ranked, notes)
        if not ranked:
            return fallback, True
        by_lead = {s.lead.id: s for s in ranked}
        messages = day_messages([(s.lead.id, s.lead.title, notes[s.id].summary) for s in ranked])
        answer = self._ask("day", messages, lambda a: validate_day(a, set(by_lead)))
        if answer is None:
            return fallback, False
        everything = Source(text for s in ranked for a in s.articles for text in (a.title, a.body))
        overview, t = ground(answer["overview"], everything)
        tally.add(t)
        title = _whole(answer["title"], everything, tally)
        if not title:
            self._replaced("title")
        highlights: list[Highlight] = []
        seen: set[str] = set()
        for item in answer["highlights"]:
            story = by_lead[item["id"][0]] if item["id"] else None
            if story is None or story.id in seen:
                continue
            text = _whole(item["text"], _source(story), tally)
            if not text:
                self._replaced("highlight")
                text = story.lead.title
            highlights.append(Highlight(text=text, story_id=story.id))
            seen.add(story.id)
        placed: set[str] = set()
        topics: list[Topic] = []
        for topic in answer["topics"]:
            members = [by_lead[i] for i in dict.fromkeys(topic["ids"]) if by_lead[i].id not in placed]
            placed.update(m.id for m in members)
            if not members:
                continue
            heading = topic["heading"]
            texts = (t for m in members for a in m.articles for t in (a.title, a.body))
            covered = Source(texts, vocabulary=TOPIC_VOCABULARY)
            if not short_supported(heading, covered, max_chars=HEADING_CHARS):
                self._replaced("heading")
                heading = _main_category(members)
            same = next((n for n, t in enumerate(topics) if t.heading == heading), None)
            if same is None:
                topics.append(Topic(heading=heading, story_ids=tuple(m.id for m in members)))
            else:  # two replaced headings may name the same category: one section
                topics[same] = Topic(heading=heading, story_ids=(*topics[same].story_ids, *(m.id for m in members)))
        day = DayNotes(
            title=title or fallback.title,
            overview=overview or fallback.overview,
            highlights=highlights or fallback.highlights,
            topics=topics or fallback.topics,
            stories=notes,
        )
        return day, True
