"""Shared enrichment fixtures: one tokenizer per session (jieba's dictionary takes a second to load)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from enrich.tokens import TokenizerKit

ARTICLES = Path(__file__).resolve().parent.parent / "fixtures" / "enrich" / "articles.jsonl"


@pytest.fixture(scope="session")
def kit() -> TokenizerKit:
    return TokenizerKit.build()


def load_articles() -> list[dict[str, Any]]:
    """The enrichment fixture: reposts, a gold-price trio, one model release on several sites, background news."""
    docs = []
    for line in ARTICLES.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        doc = {k: v for k, v in record.items() if k != "id"} | {"_id": record["id"]}
        doc["published_at"] = datetime.fromisoformat(record["published_at"])
        docs.append(doc)
    return docs


@pytest.fixture
def articles() -> list[dict[str, Any]]:
    return load_articles()
