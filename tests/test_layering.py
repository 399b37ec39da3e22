"""The packages import one way: crawler <- enrich <- reports <- aidaily (the CLI), and only crawler knows Scrapy."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# package -> the top-level packages it must never import (at module level or inside a function)
FORBIDDEN = {
    "crawler": {"enrich", "reports", "aidaily"},
    "enrich": {"reports", "aidaily", "scrapy", "twisted"},
    "reports": {"aidaily", "scrapy", "twisted"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_run_one_way(package: str) -> None:
    wrong = {
        str(path.relative_to(REPO)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in sorted((REPO / package).rglob("*.py"))
    }
    assert not {k: v for k, v in wrong.items() if v}


def test_the_forbidden_imports_are_detected(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from aidaily.cli import main\n    import scrapy.http\n", encoding="utf-8")
    assert imported_packages(module) == {"aidaily", "scrapy"}
