"""The project's spider names, read from the spider modules' source: argument errors answer before Scrapy loads.

The modules stay the one source of truth: each spider class's ``name = "..."`` is what Scrapy's
spider loader lists too (a test holds the two equal).
"""

from __future__ import annotations

import ast
from pathlib import Path

SPIDERS = Path(__file__).with_name("spiders")


def spider_names(folder: Path = SPIDERS) -> list[str]:
    """Every ``name = "..."`` set in a class body of the modules of ``folder``, sorted."""
    names: set[str] = set()
    for module in sorted(folder.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names.update(_class_name(node))
    return sorted(names)


def _class_name(node: ast.ClassDef) -> list[str]:
    return [
        stmt.value.value
        for stmt in node.body
        if isinstance(stmt, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "name" for t in stmt.targets)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    ]
