"""Running ``aidaily`` in-process against the test database, with LLM settings isolated from the environment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from click.testing import CliRunner, Result

import crawler.settings
from aidaily.cli import main

Invoke = Callable[..., Result]


@dataclass
class Cli:
    mongo_uri: str

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(main, ["--mongo-uri", self.mongo_uri, *args], catch_exceptions=False)


def isolate_settings(monkeypatch: pytest.MonkeyPatch, db_name: str, **overrides: object) -> None:
    """Point the settings module at the test database and at no LLM endpoint, whatever the environment says."""
    values: dict[str, object] = {
        "MONGO_DATABASE": db_name,
        "OPENAI_BASE_URL": "",
        "OPENAI_API_KEY": "",
        "LLM_MODEL": "",
        "LLM_DEEP_STORIES": 4,
        "LLM_TIMEOUT_SECONDS": 5.0,
        "LLM_MAX_RETRIES": 2,
        "LLM_CONCURRENCY": 3,
    }
    values.update(overrides)
    for name, value in values.items():
        monkeypatch.setattr(crawler.settings, name, value)
