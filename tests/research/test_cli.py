"""aidaily search / stats / show / export through the real entry point, good input and bad."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from aidaily.cli import main
from crawler.store import Store
from reports.flat import COLUMN_NAMES
from tests.research.conftest import id_of, url_of


def run(store: Store, mongo_uri: str, *args: str) -> Result:
    runner = CliRunner()
    return runner.invoke(main, ["--mongo-uri", mongo_uri, *args], env={"MONGO_DATABASE": store.db.name})


def test_search_table_folds_duplicates(archive: Store, mongo_uri: str) -> None:
    result = run(archive, mongo_uri, "search", "DeepSeek", "开源")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert "DeepSeek发布V3.2开源模型" in lines[0] and lines[0].endswith("+2 sources: 36氪, 量子位")
    assert "IT之家" in lines[0] and id_of("ds-ithome") in lines[0]
    assert "国产大模型价格战" in lines[1]


def test_search_json_and_csv(archive: Store, mongo_uri: str) -> None:
    result = run(archive, mongo_uri, "search", "OpenAI", "--since", "2026-01-19", "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["title"] for r in records] == ["OpenAI发布GPT-5.1，推理能力大幅提升"]
    assert records[0]["published_at"] == "2026-01-19T21:00:00+08:00" and records[0]["duplicates"] == []
    result = run(archive, mongo_uri, "search", "推理成本", "--format", "csv", "--limit", "5")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == [id_of("ds-ithome")]
    assert rows[0]["duplicate_sources"] == "36氪|量子位"


def test_search_filters_by_source_category_cluster(archive: Store, mongo_uri: str) -> None:
    result = run(
        archive, mongo_uri, "search", "DeepSeek", "--source", "jiqizhixin", "--source", "36kr", "--format", "json"
    )
    assert sorted(r["source"] for r in json.loads(result.stdout)) == ["36kr", "jiqizhixin"]
    result = run(archive, mongo_uri, "search", "DeepSeek", "--category", "产业商业", "--format", "json")
    assert [r["id"] for r in json.loads(result.stdout)] == [id_of("ds-old")]
    result = run(archive, mongo_uri, "search", "开源", "--cluster", "c-qw", "--format", "json")
    assert [r["id"] for r in json.loads(result.stdout)] == [id_of("qw-aibase")]


@pytest.mark.parametrize(
    "args, message",
    [
        (["search", ""], "the search query is empty"),
        (["search"], "the search query is empty"),
        (["search", "的"], "no searchable words"),
        (["search", "DeepSeek", "--since", "2026-13-01"], "'2026-13-01' is not a date like 2026-01-20"),
        (["search", "DeepSeek", "--since", "2026-01-20", "--until", "2026-01-01"], "is after --until"),
        (["search", "DeepSeek", "--source", "nosuchsite"], "unknown source 'nosuchsite'"),
        (["search", "DeepSeek", "--category", "体育"], "'体育' is not one of"),
        (["search", "DeepSeek", "--limit", "0"], "--limit"),
        (["stats", "--until", "20260101"], "is not a date like"),
        (["stats", "--compare-since", "2026-01-01"], "give both --compare-since and --compare-until"),
        (["show", "0000000000000000"], "no article with id or URL"),
        (["show", " "], "give an article id or URL"),
    ],
)
def test_bad_input_is_one_clear_line(archive: Store, mongo_uri: str, args: list[str], message: str) -> None:
    result = run(archive, mongo_uri, *args)
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.output


def test_stats_table_and_json(archive: Store, mongo_uri: str) -> None:
    result = run(archive, mongo_uri, "stats", "--since", "2026-01-10", "--until", "2026-01-20", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["articles"] == 8
    assert data["per_day"]["2026-01-20"] == 3 and data["per_day"]["2026-01-11"] == 0 and len(data["per_day"]) == 11
    assert data["per_source"][0] == {"source": "36kr", "source_name": "36氪", "articles": 2}
    assert data["per_category"] == {"技术底座": 5, "产业商业": 2, "行业动态": 1}
    assert data["keyword_periods"] == [
        {"since": "2026-01-10", "until": "2026-01-14"},
        {"since": "2026-01-15", "until": "2026-01-20"},
    ]
    top = {k["keyword"]: k for k in data["keywords"]}
    assert top["deepseek"]["first"] == 0 and top["deepseek"]["second"] == 3
    assert data["clusters"][0]["cluster_id"] == "c-ds" and data["clusters"][0]["articles"] == 3
    assert data["clusters"][0]["sources"] == ["36kr", "ithome", "qbitai"]
    table = run(archive, mongo_uri, "stats", "--compare-since", "2026-01-01", "--compare-until", "2026-01-09")
    assert table.exit_code == 0, table.output
    assert "8 articles, 2026-01-10..2026-01-20" in table.stdout
    assert "top keywords   2026-01-01..2026-01-09  ->  2026-01-10..2026-01-20" in table.stdout


def test_show_by_url_lists_cluster_and_duplicates(archive: Store, mongo_uri: str) -> None:
    result = run(archive, mongo_uri, "show", url_of("ds-ithome") + "?utm_source=rss#top")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("DeepSeek发布V3.2开源模型")
    assert "duplicates (2)" in out and id_of("ds-36kr") in out and id_of("ds-qbitai") in out
    assert "cluster c-ds" in out and "(3 articles)" in out
    assert "category             技术底座" in out
    result = run(archive, mongo_uri, "show", id_of("ds-36kr"), "--format", "json")
    data = json.loads(result.stdout)
    assert data["canonical"]["id"] == id_of("ds-ithome")
    assert [m["id"] for m in data["members"]] == [id_of("ds-ithome"), id_of("ds-36kr"), id_of("ds-qbitai")]
    assert "tokens" not in data["article"] and data["article"]["duplicate_kind"] == "near"


def test_export_keeps_jsonl_and_adds_csv_and_parquet(archive: Store, mongo_uri: str, tmp_path: Path) -> None:
    base = ["export", "--since", "2026-01-19", "--until", "2026-01-20"]
    jsonl = run(archive, mongo_uri, *base)
    assert jsonl.exit_code == 0, jsonl.output
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [r["id"] for r in records][:2] == [id_of("nv-36kr"), id_of("oa-jiqizhixin")] and len(records) == 5
    assert records[0]["tokens"] and records[0]["published_at"] == "2026-01-19T08:00:00+08:00"

    out = tmp_path / "a.csv"
    result = run(
        archive, mongo_uri, *base, "--format", "csv", "--source", "36kr", "--source", "ithome", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == list(COLUMN_NAMES)
    assert [r["id"] for r in rows] == [id_of("nv-36kr"), id_of("ds-ithome"), id_of("ds-36kr")]
    assert rows[2]["duplicate_of"] == id_of("ds-ithome") and rows[2]["is_ai"] == "true"
    assert rows[0]["keywords"].startswith("英伟达|") and rows[0]["tags"] == "AI"

    out = tmp_path / "a.parquet"
    result = run(archive, mongo_uri, *base, "--format", "parquet", "--out", str(out))
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.column_names == list(COLUMN_NAMES) and table.num_rows == 5
    first = table.slice(0, 1).to_pylist()[0]
    assert first["id"] == id_of("nv-36kr") and first["published_at"].isoformat() == "2026-01-19T08:00:00+08:00"
    assert str(table.schema.field("published_at").type) == "timestamp[us, tz=Asia/Shanghai]"
    assert first["category_confidence"] == pytest.approx(0.8)


def test_export_of_an_empty_range_writes_the_header(archive: Store, mongo_uri: str, tmp_path: Path) -> None:
    result = run(archive, mongo_uri, "export", "--since", "2020-01-01", "--until", "2020-01-02", "--format", "csv")
    assert result.exit_code == 0 and result.stdout.splitlines() == [",".join(COLUMN_NAMES)]
    out = tmp_path / "empty.parquet"
    run(
        archive,
        mongo_uri,
        "export",
        "--since",
        "2020-01-01",
        "--until",
        "2020-01-02",
        "--format",
        "parquet",
        "--out",
        str(out),
    )
    assert pq.read_table(out).num_rows == 0


def test_export_parquet_to_stdout(archive: Store, mongo_uri: str) -> None:
    result = run(archive, mongo_uri, "export", "--since", "2026-01-20", "--until", "2026-01-20", "--format", "parquet")
    assert result.exit_code == 0, result.output
    table = pq.read_table(io.BytesIO(result.stdout_bytes))
    assert sorted(table.column("source").to_pylist()) == ["36kr", "ithome", "qbitai"]


def test_reindex_rebuilds_the_search_index_from_the_articles(seeded: Store, mongo_uri: str) -> None:
    seeded.collection("search_index").delete_many({})
    result = run(seeded, mongo_uri, "reindex")
    assert result.exit_code == 0, result.output
    assert "indexed 8 articles" in result.stderr
    found = run(seeded, mongo_uri, "search", "人形机器人", "--format", "json")
    assert [s["title"] for s in json.loads(found.stdout)] == ["人形机器人公司完成新一轮融资"]
