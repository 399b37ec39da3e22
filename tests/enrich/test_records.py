"""``aidaily enrich --input``: bad records get one line naming them; records without a URL are never merged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aidaily.cli import main

STORIES = [
    {"id": f"s{n}", "title": title, "body": body, "published_at": "2026-01-20T09:00:00+08:00"}
    for n, (title, body) in enumerate([
        ("宇树科技完成新一轮融资", "宇树科技宣布完成新一轮融资，资金将用于人形机器人研发与量产。"),
        ("央行开展逆回购操作", "中国人民银行今日开展7天期逆回购操作，操作利率维持不变。"),
        ("小米发布新款平板电脑", "小米今日发布新一代平板电脑，搭载自研芯片，起售价2999元。"),
    ])
]  # fmt: skip


def _enrich(tmp_path: Path, records: list[dict[str, object]] | str) -> tuple[int, str, Path]:
    source = tmp_path / "in.jsonl"
    text = records if isinstance(records, str) else "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    source.write_text(text + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["enrich", "--no-models", "--input", str(source), "--output", str(out)])
    return result.exit_code, result.output, out


def test_records_without_url_are_not_duplicates_of_each_other(tmp_path: Path) -> None:
    code, output, out = _enrich(tmp_path, STORIES)
    assert code == 0, output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["duplicate_of"] for r in records] == [None, None, None]
    assert len({r["cluster_id"] for r in records}) == 3
    assert "0 duplicates, 3 clusters" in output


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"title": "无编号的记录"}, ":2: the record has no id"),
        ({"id": "x9", "body": "正文"}, ":2: record 'x9' has no title"),
        (
            {"id": "d1", "title": "日期坏了", "published_at": "garbage"},
            ":2: record 'd1' has a published_at that is not a date: 'garbage'",
        ),
        (
            {"id": "d2", "title": "抓取时间坏了", "fetched_at": "昨天的昨天"},
            ":2: record 'd2' has a fetched_at that is not a date: '昨天的昨天'",
        ),
    ],
)
def test_a_record_without_id_title_or_a_readable_date_is_refused_with_its_line(
    tmp_path: Path, record: dict[str, object], message: str
) -> None:
    code, output, out = _enrich(tmp_path, [STORIES[0], record])
    assert code == 1 and not out.exists()
    assert message in output and "Traceback" not in output
    assert len(output.strip().splitlines()) == 1


def test_a_line_that_is_not_json_is_refused(tmp_path: Path) -> None:
    code, output, _ = _enrich(tmp_path, json.dumps(STORIES[0], ensure_ascii=False) + "\n{broken")
    assert code == 1 and "in.jsonl:2: not JSON" in output


def test_a_record_without_a_date_is_kept_undated(tmp_path: Path) -> None:
    code, output, out = _enrich(tmp_path, [STORIES[0], {"id": "u1", "title": "没有日期", "published_at": ""}])
    assert code == 0, output
    records = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert records["u1"]["published_at"] is None and records["s0"]["published_at"].startswith("2026-01-20T09:00")
