"""Bad input gets one line, never a traceback: environment numbers, ``--out`` paths, filters, a dead database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.store import Store
from enrich.tokens import TokenizerKit
from tests.research.conftest import make_clusters, make_docs
from tests.saved_pages import PROJECT_PAGES
from tests.servers import MongoServerProcess, free_port

AIDAILY = str(Path(sys.executable).with_name("aidaily"))


def run(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MONGO_", "AIDAILY_", "OPENAI_", "LLM_"))}
    env = clean | {"AIDAILY_DATA_DIR": str(data_dir)} | env
    return subprocess.run([AIDAILY, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def archive(mongo_server: MongoServerProcess) -> Iterator[Store]:
    """The research archive (2026-01-10..2026-01-20), read by every test of this module."""
    store = Store.open(mongo_server.uri, db_name=f"badinput_{uuid.uuid4().hex[:10]}", timeout_ms=5000)
    store.ensure_indexes()
    docs = make_docs(TokenizerKit.build())
    store.articles.insert_many(docs)
    store.collection("clusters").insert_many(make_clusters(docs))
    yield store
    store.client.drop_database(store.db.name)
    store.close()


def on(archive: Store, *args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    uri = f"mongodb://{':'.join(map(str, archive.client.address))}/?directConnection=true"
    return run("--mongo-uri", uri, *args, data_dir=data_dir, MONGO_DATABASE=archive.db.name)


# --- environment numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        ("MONGO_TIMEOUT_MS", "abc", "an integer"),
        ("LLM_TIMEOUT_SECONDS", "1m", "a number"),
        ("LLM_CONCURRENCY", "4.5", "an integer"),
        ("AIDAILY_MAX_IDLE_SECONDS", "", "an integer"),
        ("AIDAILY_ENRICH_PROCESSES", "two", "an integer"),
    ],
)
def test_a_numeric_environment_variable_that_is_not_a_number_is_named(
    name: str, value: str, kind: str, tmp_path: Path
) -> None:
    done = run("stats", data_dir=tmp_path, **{name: value})
    assert done.returncode == 2
    assert done.stderr == f"Error: environment variable {name}={value!r} is not {kind}\n"
    assert done.stdout == ""


# --- --out paths --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_to_a_path_that_cannot_be_written_is_one_line(archive: Store, tmp_path: Path, fmt: str) -> None:
    (tmp_path / "afile").write_text("")
    for out, why in [
        (tmp_path / "missing" / "dir" / "x.out", f"no folder {tmp_path / 'missing' / 'dir'}"),
        (tmp_path / "afile" / "x.out", f"{tmp_path / 'afile'} is a file, not a folder"),
    ]:
        done = on(archive, "export", "--format", fmt, "--out", str(out), data_dir=tmp_path / "data")
        assert done.returncode == 1
        assert done.stderr == f"Error: cannot write {out}: {why}\n"


def test_a_report_under_a_file_is_one_line(archive: Store, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    out = tmp_path / "afile" / "x.md"
    done = on(archive, "report", "--date", "2026-01-20", "--no-llm", "--out", str(out), data_dir=tmp_path / "data")
    assert done.returncode == 1
    assert done.stderr == f"Error: cannot write {out}: {tmp_path / 'afile'} is a file, not a folder\n"


# --- filters --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stats", "--since", "2030-01-01"], "--since 2030-01-01 is after the archive's newest day 2026-01-20"),
        (["stats", "--until", "2020-01-01"], "--until 2020-01-01 is before the archive's oldest day 2026-01-10"),
        (["export", "--source", "nosuch"], "unknown source 'nosuch' (known: 36kr,"),
        (["export", "--since", "2026-01-20", "--until", "2026-01-10"], "--since 2026-01-20 is after --until"),
        (["search", "Kimi", "--cluster", "nosuch"], "unknown cluster 'nosuch'"),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, list) else "",
)
def test_a_filter_that_can_match_nothing_is_refused_in_one_line(
    archive: Store, tmp_path: Path, args: list[str], message: str
) -> None:
    done = on(archive, *args, data_dir=tmp_path / "data")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(f"Error: {message}") and len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stdout == ""


def test_a_known_cluster_still_lists_its_articles(archive: Store, tmp_path: Path) -> None:
    cluster = archive.collection("clusters").find_one({"members.1": {"$exists": True}})
    assert cluster is not None
    word = str(cluster["keywords"][0])
    done = on(archive, "search", word, "--cluster", str(cluster["_id"]), "--format", "json", data_dir=tmp_path / "d")
    assert done.returncode == 0, done.stderr
    assert str(cluster["_id"]) in done.stdout


def test_stats_of_one_day_compares_it_with_the_day_before_as_its_help_says(archive: Store, tmp_path: Path) -> None:
    done = on(archive, "stats", "--since", "2026-01-20", data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].endswith("articles, 2026-01-20..2026-01-20")
    assert "top keywords   2026-01-19..2026-01-19  ->  2026-01-20..2026-01-20" in done.stdout
    helped = run("stats", "--help", data_dir=tmp_path / "data").stdout
    assert "a one-day range: the day before it with that day" in " ".join(helped.split())


# --- a database that does not answer --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["stats"], ["search", "Kimi"], ["show", "x"], ["export"], ["reindex"], ["enrich"]], ids=" ".join
)
def test_an_unreachable_database_is_one_short_line_and_the_log_has_it_all(tmp_path: Path, command: list[str]) -> None:
    port = free_port()
    done = run("--mongo-uri", f"mongodb://127.0.0.1:{port}", *command, data_dir=tmp_path, MONGO_TIMEOUT_MS="300")
    assert done.returncode == 1
    assert done.stderr == f"Error: cannot open the database: 127.0.0.1:{port}: [Errno 111] Connection refused\n"
    log = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "logs").glob("*.log"))
    assert "the database error in full" in log and "Topology Description" in log


@pytest.mark.slow
def test_a_crawl_with_the_database_down_says_so_in_short_lines(tmp_path: Path) -> None:
    port = free_port()
    args = ("--mongo-uri", f"mongodb://127.0.0.1:{port}", "crawl", "--mirror", str(PROJECT_PAGES), "ithome")
    done = run(*args, data_dir=tmp_path, MONGO_TIMEOUT_MS="300")
    assert "spooled 5" in done.stdout
    errors = [line for line in done.stderr.splitlines() if " ERROR " in line]
    assert errors and all("Topology" not in line and "configured timeouts" not in line for line in errors), errors
    assert f"MongoDB unreachable at crawl start (127.0.0.1:{port}: [Errno 111] Connection refused)" in done.stderr
    log = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "logs").glob("*.log"))
    assert "Topology Description" in log
