"""One article with everything around it: its cluster and members, its duplicates, its enrichment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crawler.dates import SHANGHAI
from crawler.normalize import article_id
from crawler.store import Store
from crawler.urls import canonicalize_url

ENRICHMENT_FIELDS = (
    "category",
    "category_confidence",
    "is_ai",
    "ai_score",
    "keywords",
    "cluster_id",
    "duplicate_of",
    "duplicate_kind",
    "enriched_at",
    "enrich_version",
)
_BRIEF = {"title": 1, "source": 1, "source_name": 1, "url": 1, "published_at": 1, "duplicate_of": 1}


@dataclass
class Detail:
    article: dict[str, Any]
    cluster: dict[str, Any] | None = None
    members: list[dict[str, Any]] = field(default_factory=list)  # the cluster's articles, oldest first
    canonical: dict[str, Any] | None = None  # the copy this article duplicates
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # copies of this article
    versions: int = 0  # earlier texts kept in article_versions


def find_article(store: Store, ref: str) -> dict[str, Any] | None:
    """The article with id ``ref``, or at URL ``ref`` (any form that canonicalises to the stored one)."""
    ref = ref.strip()
    if not ref.startswith(("http://", "https://")):
        return store.articles.find_one({"_id": ref})
    canonical = canonicalize_url(ref)
    return store.articles.find_one({"_id": article_id(canonical)}) or store.articles.find_one({"url": canonical})


def article_detail(store: Store, doc: dict[str, Any]) -> Detail:
    """``doc``'s cluster (from ``clusters``) with its member articles, its canonical copy and its duplicates."""
    detail = Detail(article=doc)
    cluster_id = doc.get("cluster_id")
    if cluster_id is not None:
        detail.cluster = store.collection("clusters").find_one({"_id": cluster_id})
        detail.members = list(
            store.articles.find({"cluster_id": cluster_id}, projection=_BRIEF).sort("published_at", 1)
        )
    if doc.get("duplicate_of"):
        detail.canonical = store.articles.find_one({"_id": doc["duplicate_of"]}, projection=_BRIEF)
    detail.duplicates = list(store.articles.find({"duplicate_of": doc["_id"]}, projection=_BRIEF))
    detail.duplicates.sort(key=lambda d: (_stamp(d.get("published_at")), d["_id"]))
    detail.versions = store.versions.count_documents({"article_id": doc["_id"]})
    return detail


def detail_record(detail: Detail) -> dict[str, Any]:
    """JSON-ready: the article (without its token list), cluster, members, canonical copy, duplicates."""
    article = {k: v for k, v in detail.article.items() if k != "tokens"}
    return _plain(
        {
            "article": article,
            "cluster": detail.cluster,
            "members": detail.members,
            "canonical": detail.canonical,
            "duplicates": detail.duplicates,
            "versions": detail.versions,
        }
    )


def detail_lines(detail: Detail) -> list[str]:
    """A readable page: header, enrichment, cluster, duplicates, then the body."""
    doc = detail.article
    lines = [
        str(doc.get("title")),
        f"{doc.get('source_name') or doc.get('source')} · {_when(doc.get('published_at'))} · {doc.get('kind')}"
        + (f" · {doc['author']}" if doc.get("author") else ""),
        str(doc.get("url")),
        f"id {doc['_id']} · version {doc.get('version', 1)} ({detail.versions} earlier texts kept)",
        "",
        "enrichment",
    ]
    if doc.get("enriched_at") is None:
        lines.append("  not enriched yet (aidaily enrich)")
    for key in ENRICHMENT_FIELDS:
        if key in doc:
            value = doc[key]
            shown = (
                ", ".join(map(str, value))
                if isinstance(value, list)
                else _when(value)
                if key == "enriched_at"
                else value
            )
            lines.append(f"  {key:<20} {shown}")
    if detail.canonical is not None:
        lines += ["", "duplicate of", _brief(detail.canonical)]
    if detail.duplicates:
        lines += ["", f"duplicates ({len(detail.duplicates)})"] + [_brief(d) for d in detail.duplicates]
    if detail.cluster is not None or detail.members:
        label = (detail.cluster or {}).get("label") or "-"
        lines += ["", f"cluster {doc.get('cluster_id')}: {label} ({len(detail.members)} articles)"]
        lines += [_brief(m, mark=m["_id"] == doc["_id"]) for m in detail.members]
    lines += ["", str(doc.get("body") or "")]
    return lines


def _brief(doc: Mapping[str, Any], *, mark: bool = False) -> str:
    source = doc.get("source_name") or doc.get("source")
    return f"{'*' if mark else ' '} {_when(doc.get('published_at'))}  {source}  {doc.get('title')}  [{doc['_id']}]"


def _when(value: Any) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else "(no date)"


def _stamp(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else 0.0


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).isoformat()
    if isinstance(value, dict):
        return {("id" if k == "_id" else k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
