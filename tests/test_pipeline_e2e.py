"""The whole chain as a user runs it: crawl the mirror, enrich, report with and without an LLM."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.llm.fake_openai import FakeLLM
from tests.saved_pages import PROJECT_PAGES
from tests.servers import MongoServerProcess

AIDAILY = str(Path(sys.executable).with_name("aidaily"))
DAY = "2026-01-20"
STYLES = ("tracker", "insight", "digest")
pytestmark = pytest.mark.slow


def aidaily(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([AIDAILY, *args], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def crawled(mongo_server: MongoServerProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_"))}
    env = base | {"MONGO_URI": mongo_server.uri, "MONGO_DATABASE": "e2e_pipeline",
                  "AIDAILY_DATA_DIR": str(tmp_path_factory.mktemp("data"))}  # fmt: skip
    aidaily(env, "crawl", "--mirror", str(PROJECT_PAGES))
    enriched = aidaily(env, "enrich")
    assert "enriched" in enriched.stdout + enriched.stderr
    return env


@pytest.mark.parametrize("style", STYLES)
def test_reports_without_an_llm_are_extractive_and_say_so(crawled: dict[str, str], style: str) -> None:
    report = aidaily(crawled, "report", "--date", DAY, "--style", style).stdout
    # a fixture article of the day, linked by its canonical URL
    assert "https://www.qbitai.com/2026/01/391204.html" in report
    assert "DeepSeek" in report
    assert "深度解读 & 洞察" not in report  # in-depth sections need an LLM: left out, never invented
    assert "摘自原文" in report  # the footer says the text is extractive


def test_reports_with_the_local_llm_then_a_cached_rebuild_makes_no_calls(
    crawled: dict[str, str], tmp_path: Path
) -> None:
    llm = FakeLLM().start()
    try:
        env = crawled | {"OPENAI_BASE_URL": llm.base_url, "OPENAI_API_KEY": "test-key", "LLM_MODEL": "fake-chat"}
        first = {s: aidaily(env, "report", "--date", DAY, "--style", s).stdout for s in STYLES}
        assert llm.calls > 0
        assert "深度解读 & 洞察" in first["digest"]
        calls = llm.calls
        again = {s: aidaily(env, "report", "--date", DAY, "--style", s).stdout for s in STYLES}
        assert llm.calls == calls, "a rebuild must come from the cache"
        assert again == first  # byte-identical
    finally:
        llm.stop()
