"""A day's stories from MongoDB: the day's articles (Asia/Shanghai), duplicates folded, one story per cluster."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from crawler.dates import SHANGHAI
from crawler.export import day_start
from crawler.runlog import report_flags
from crawler.store import Store
from enrich.commentary import StoryInput
from enrich.prompts import SourceArticle

DEFAULT_CATEGORY = "行业动态"
_FIELDS = (
    "url",
    "source",
    "source_name",
    "kind",
    "title",
    "body",
    "summary",
    "published_at",
    "fetched_at",
    "enriched_at",
    "keywords",
    "cluster_id",
    "duplicate_of",
    "is_ai",
    "ai_score",
    "category",
)


@dataclass(frozen=True)
class Article:
    """The fields of a stored article a report uses."""

    id: str
    url: str
    source: str
    source_name: str
    kind: str
    title: str
    body: str
    summary: str
    published_at: datetime
    keywords: tuple[str, ...]
    cluster_id: str
    duplicate_of: str | None
    is_ai: bool
    ai_score: float
    category: str
    stamped_at: datetime | None  # the latest of fetched_at and enriched_at: when the data was last touched

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Article:
        stamps = [d for d in (doc.get("fetched_at"), doc.get("enriched_at")) if isinstance(d, datetime)]
        # Without enrichment fields an article is its own story, kept (not judged AI-irrelevant).
        return cls(
            id=doc["_id"],
            url=doc["url"],
            source=doc.get("source") or "",
            source_name=doc.get("source_name") or doc.get("source") or "",
            kind=doc.get("kind") or "article",
            title=(doc.get("title") or "").strip(),
            body=doc.get("body") or "",
            summary=doc.get("summary") or "",
            published_at=doc["published_at"].astimezone(SHANGHAI),
            keywords=tuple(doc.get("keywords") or ()),
            cluster_id=doc.get("cluster_id") or doc["_id"],
            duplicate_of=doc.get("duplicate_of"),
            is_ai=bool(doc.get("is_ai", True)),
            ai_score=float(doc.get("ai_score") or 0.0),
            category=doc.get("category") or DEFAULT_CATEGORY,
            stamped_at=max(stamps).astimezone(SHANGHAI) if stamps else None,
        )


@dataclass
class Story:
    """One event: the lead article and the other sources that reported it the same day."""

    id: str
    lead: Article
    others: list[Article] = field(default_factory=list)
    label: str = ""
    since: date | None = None  # the day the event was first reported, when before this report's day

    @property
    def articles(self) -> list[Article]:
        return [self.lead, *self.others]

    @property
    def is_ai(self) -> bool:
        return self.lead.is_ai

    @property
    def category(self) -> str:
        return self.lead.category

    @property
    def importance(self) -> float:
        """More sources, more AI, a full article over a newsflash, more text: ranks the day's stories."""
        sources = len({a.source for a in self.articles})
        length = min(len(self.lead.body) / 2000, 0.5)
        return sources + self.lead.ai_score + (0.5 if self.lead.kind == "article" else 0.0) + length

    def to_input(self, *, deep: bool = False) -> StoryInput:
        keywords = list(self.lead.keywords) + [
            k for a in self.others for k in a.keywords if k not in self.lead.keywords
        ]
        return StoryInput(
            id=self.id,
            articles=tuple(SourceArticle(a.id, a.source_name, a.title, a.body) for a in self.articles),
            summary=self.lead.summary,
            keywords=tuple(keywords[:8]),
            category=self.category,
            deep=deep,
        )


@dataclass
class Day:
    """Everything a report of one day is built from, except commentary and the leaderboard."""

    date: date
    stories: list[Story]
    article_count: int
    duplicates_folded: int
    stamped_at: datetime | None
    health: tuple[str, ...] = ()  # source health flags of the latest crawl run judged for this day

    def newest_first(self) -> list[Story]:
        return sorted(self.stories, key=lambda s: (-s.lead.published_at.timestamp(), s.id))

    def ranked(self, *, ai_only: bool = False) -> list[Story]:
        """Stories by importance, most important first (ties: newer first, then id)."""
        stories = [s for s in self.stories if s.is_ai or not ai_only]
        return sorted(stories, key=lambda s: (-s.importance, -s.lead.published_at.timestamp(), s.id))

    def story(self, story_id: str) -> Story:
        return next(s for s in self.stories if s.id == story_id)


def _lead(members: list[Article], representative: str | None) -> Article:
    by_id = {a.id: a for a in members}
    if representative in by_id:
        return by_id[representative]
    return min(members, key=lambda a: (a.kind != "article", -len(a.body), a.published_at, a.id))


def build_day(day: date, docs: Iterable[Mapping[str, Any]], clusters: Mapping[str, Mapping[str, Any]]) -> Day:
    """Group a day's article documents into stories: exact and near duplicates folded, one story per cluster."""
    articles = [Article.from_doc(d) for d in docs]
    by_id = {a.id: a for a in articles}
    groups: dict[str, list[Article]] = {}
    for article in articles:
        original = by_id.get(article.duplicate_of or "")
        # A copy on another site is another source of the same event; a copy on the same site is folded away.
        cluster_id = original.cluster_id if original else article.cluster_id
        groups.setdefault(cluster_id, []).append(article)
    stories = []
    folded = 0
    for cluster_id, members in sorted(groups.items()):
        cluster = clusters.get(cluster_id, {})
        lead = _lead([a for a in members if a.duplicate_of not in by_id] or members, cluster.get("representative"))
        others: list[Article] = []
        seen_sources = {lead.source}
        for article in sorted((a for a in members if a.id != lead.id), key=lambda a: (a.published_at, a.id)):
            if article.source in seen_sources:
                folded += 1
                continue
            seen_sources.add(article.source)
            others.append(article)
        first = cluster.get("first_published_at")
        since = first.astimezone(SHANGHAI).date() if isinstance(first, datetime) else None
        stories.append(
            Story(
                id=cluster_id,
                lead=lead,
                others=others,
                label=str(cluster.get("label") or ""),
                since=since if since is not None and since < day else None,
            )
        )
    stamps = [a.stamped_at for a in articles if a.stamped_at]
    return Day(
        date=day,
        stories=stories,
        article_count=len(articles),
        duplicates_folded=folded,
        stamped_at=max(stamps) if stamps else None,
    )


def load_day(store: Store, day: date) -> Day:
    """The stories published on ``day`` (Asia/Shanghai), read from the store."""
    query = {"published_at": {"$gte": day_start(day), "$lt": day_start(day + timedelta(days=1))}}
    docs = list(store.find_articles(query, projection=dict.fromkeys(_FIELDS, 1), sort=[("_id", 1)]))
    cluster_ids = sorted({str(d["cluster_id"]) for d in docs if d.get("cluster_id")})
    clusters = {c["_id"]: c for c in store.collection("clusters").find({"_id": {"$in": cluster_ids}})}
    return replace(build_day(day, docs, clusters), health=tuple(report_flags(store, day)))
