"""A small archive for the research tests: real tokens from the real tokenizer, duplicates, clusters."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from crawler.dates import SHANGHAI
from crawler.normalize import article_id
from crawler.sources import BUILTIN_SOURCES
from crawler.store import Store
from enrich.tokens import TokenizerKit
from tests.servers import MongoServerProcess

# (key, source, published, title, body, category, cluster, duplicate_of key)
ARTICLES: list[tuple[str, str, str, str, str, str, str, str | None]] = [
    (
        "ds-ithome",
        "ithome",
        "2026-01-20T10:05",
        "DeepSeek发布V3.2开源模型，推理成本再降一半",
        "1月20日消息，深度求索今天发布DeepSeek-V3.2开源模型，推理成本相比上一代下降一半。\n"
        "DeepSeek表示，新模型在数学和代码基准上接近闭源模型，权重已在Hugging Face开源。\n"
        "分析人士认为，DeepSeek此举将进一步压低大模型API价格。",
        "技术底座",
        "c-ds",
        None,
    ),
    (
        "ds-36kr",
        "36kr",
        "2026-01-20T11:30",
        "DeepSeek发布V3.2开源模型，推理成本再降一半",
        "1月20日消息，深度求索今天发布DeepSeek-V3.2开源模型，推理成本相比上一代下降一半。\n"
        "DeepSeek表示，新模型在数学和代码基准上接近闭源模型，权重已在Hugging Face开源。",
        "技术底座",
        "c-ds",
        "ds-ithome",
    ),
    (
        "ds-qbitai",
        "qbitai",
        "2026-01-20T12:00",
        "DeepSeek V3.2开源：推理成本下降一半",
        "深度求索发布DeepSeek-V3.2开源模型，推理成本相比上一代下降一半，权重已经开源。",
        "技术底座",
        "c-ds",
        "ds-ithome",
    ),
    (
        "ds-old",
        "jiqizhixin",
        "2026-01-10T09:00",
        "国产大模型价格战：谁在降价",
        "多家厂商宣布降价。智谱、月之暗面跟进降价，DeepSeek此前已经开源了多款模型。\n"
        "业内人士认为，价格战将持续到年底，云厂商的算力成本成为关键。",
        "产业商业",
        "c-price",
        None,
    ),
    (
        "oa-jiqizhixin",
        "jiqizhixin",
        "2026-01-19T21:00",
        "OpenAI发布GPT-5.1，推理能力大幅提升",
        "OpenAI今天发布GPT-5.1模型。OpenAI称，新模型在推理和编程任务上大幅提升。\n"
        "GPT-5.1已向ChatGPT Plus用户开放，API价格保持不变。",
        "技术底座",
        "c-oa",
        None,
    ),
    (
        "nv-36kr",
        "36kr",
        "2026-01-19T08:00",
        "英伟达发布新一代AI芯片，算力提升三倍",
        "英伟达在CES上发布新一代AI芯片，单卡算力提升三倍。\n英伟达表示，新芯片将于今年下半年量产，首批客户包括微软和谷歌。",
        "产业商业",
        "c-nv",
        None,
    ),
    (
        "qw-aibase",
        "aibase",
        "2026-01-18T15:00",
        "阿里通义千问Qwen3系列开源，覆盖多模态",
        "阿里巴巴今天开源通义千问Qwen3系列模型，覆盖文本和多模态。\nQwen3在多个开源榜单上排名第一。",
        "技术底座",
        "c-qw",
        None,
    ),
    (
        "robot-ithome",
        "ithome",
        "2026-01-12T14:00",
        "人形机器人公司完成新一轮融资",
        "一家人形机器人公司宣布完成数亿元融资，资金将用于具身智能研发和量产。",
        "行业动态",
        "c-robot",
        None,
    ),
]
KEYS = [a[0] for a in ARTICLES]


def url_of(key: str) -> str:
    source = next(a[1] for a in ARTICLES if a[0] == key)
    return f"https://example.{source}.test/news/{key}.html"


def id_of(key: str) -> str:
    return article_id(url_of(key))


@pytest.fixture(scope="session")
def kit() -> TokenizerKit:
    return TokenizerKit.build()


def make_docs(kit: TokenizerKit) -> list[dict[str, Any]]:
    docs = []
    for key, source, published, title, body, category, cluster, dup in ARTICLES:
        tokens = list(dict.fromkeys([*kit.tokenize(title), *kit.tokenize(body)]))
        when = datetime.fromisoformat(published).replace(tzinfo=SHANGHAI)
        docs.append(
            {
                "_id": id_of(key),
                "url": url_of(key),
                "source": source,
                "source_name": BUILTIN_SOURCES[source].name,
                "kind": "article",
                "title": title,
                "author": None,
                "body": body,
                "summary": body.splitlines()[0],
                "images": [],
                "tags": ["AI"],
                "published_at": when,
                "published_raw": published,
                "fetched_at": when,
                "first_seen_at": when,
                "version": 1,
                "content_hash": f"hash-{key}",
                "tokens": tokens,
                "keywords": tokens[:6],
                "duplicate_of": id_of(dup) if dup else None,
                "duplicate_kind": "near" if dup else None,
                "cluster_id": cluster,
                "ai_score": 0.9,
                "is_ai": True,
                "category": category,
                "category_confidence": 0.8,
                "enriched_at": when,
                "enrich_version": "2026.1",
            }
        )
    return docs


def make_clusters(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    clusters: dict[str, dict[str, Any]] = {}
    for doc in docs:
        c = clusters.setdefault(
            doc["cluster_id"],
            {"_id": doc["cluster_id"], "representative": doc["_id"], "members": [], "sources": [], "days": []},
        )
        c["members"].append(doc["_id"])
        c["sources"] = sorted({*c["sources"], doc["source"]})
        c["days"] = sorted({*c["days"], doc["published_at"].date().isoformat()})
        c["first_published_at"] = min(c.get("first_published_at", doc["published_at"]), doc["published_at"])
        c["last_published_at"] = max(c.get("last_published_at", doc["published_at"]), doc["published_at"])
        c["keywords"] = doc["keywords"][:4]
        c["label"] = " ".join(doc["keywords"][:3])
        c["category"] = doc["category"]
        c["is_ai"] = True
    return list(clusters.values())


@pytest.fixture
def seeded(store: Store, kit: TokenizerKit) -> Store:
    docs = make_docs(kit)
    store.articles.insert_many(docs)
    store.collection("clusters").insert_many(make_clusters(docs))
    return store


@pytest.fixture(scope="session")
def archive(mongo_server: MongoServerProcess, kit: TokenizerKit) -> Iterator[Store]:
    """The seeded archive, shared by the tests that only read it (a database per test costs seconds here)."""
    name = f"research_{uuid.uuid4().hex[:10]}"
    store = Store.open(mongo_server.uri, db_name=name, timeout_ms=5000)
    store.ensure_indexes()
    docs = make_docs(kit)
    store.articles.insert_many(docs)
    store.collection("clusters").insert_many(make_clusters(docs))
    yield store
    store.client.drop_database(name)
    store.close()
