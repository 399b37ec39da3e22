"""The identity check names the first differing line of a part, and calls equal parts identical."""

from __future__ import annotations

from pathlib import Path

from bench.enrich_identity import PARTS, compare, first_difference


def _write(folder: Path, lines: dict[str, list[str]]) -> Path:
    folder.mkdir()
    for part in PARTS:
        (folder / f"{part}.jsonl").write_text("".join(f"{line}\n" for line in lines.get(part, [])), encoding="utf-8")
    return folder


def test_the_first_difference_is_shown_with_both_lines(tmp_path: Path) -> None:
    base = _write(tmp_path / "base", {"updates": ['["a", 1]', '["b", 2]'], "clusters": ['{"_id": "ca"}']})
    this = _write(tmp_path / "this", {"updates": ['["a", 1]', '["b", 3]'], "clusters": ['{"_id": "ca"}']})
    lines = compare(base, this)
    assert lines[0].startswith("  updates: DIFFERENT, line 2:") and '["b", 2]' in lines[0] and '["b", 3]' in lines[0]
    assert lines[1].startswith("  clusters: identical (1 lines")
    assert all("identical" in line for line in lines[1:])


def test_a_missing_line_is_a_difference(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("x\ny\n", encoding="utf-8")
    (tmp_path / "b").write_text("x\n", encoding="utf-8")
    assert first_difference(tmp_path / "a", tmp_path / "b") == "one side has more lines: y"
    assert first_difference(tmp_path / "a", tmp_path / "a") is None
