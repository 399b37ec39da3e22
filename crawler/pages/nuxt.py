"""Nuxt 3 pages: the ``__NUXT_DATA__`` payload (a devalue table) resolved to plain values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from parsel import Selector

from crawler.pages import ParseError

# devalue wrappers whose single argument is the value itself
_WRAPPERS = {"Reactive", "ShallowReactive", "Ref", "ShallowRef", "EmptyRef", "EmptyShallowRef"}


def nuxt_payload(text: str) -> Any:
    """The page's ``__NUXT_DATA__`` payload, resolved to plain Python values; None when absent."""
    raw = Selector(text=text).css("script#__NUXT_DATA__::text").get(default="").strip()
    if not raw:
        return None
    try:
        table = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ParseError("bad_nuxt_data", str(exc)) from exc
    if not isinstance(table, list) or not table:
        raise ParseError("bad_nuxt_data", "payload is not a devalue table")
    return _resolve(table, 0, {})


def _resolve(table: list[Any], index: int, seen: dict[int, Any]) -> Any:
    """Value at ``index`` of a devalue table: containers hold indices, negatives are special values."""
    if index < 0:
        return None  # -1 undefined, -2 null, -3 NaN, -4/-5 infinities, -6 negative zero
    if index in seen:
        return seen[index]
    node = table[index]
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        seen[index] = out
        for key, child in node.items():
            out[key] = _resolve(table, child, seen)
        return out
    if isinstance(node, list):
        if node and isinstance(node[0], str):
            kind = node[0]
            if kind in _WRAPPERS:
                return _resolve(table, node[1], seen) if len(node) > 1 else None
            if kind == "Date":
                return node[1]
            if kind == "Set":
                return [_resolve(table, i, seen) for i in node[1:]]
            if kind == "Object":  # a boxed primitive, stored inline like a Date
                return node[1]
            if kind == "null":
                return {node[i]: _resolve(table, node[i + 1], seen) for i in range(1, len(node) - 1, 2)}
            return None  # Map, RegExp, BigInt, NuxtError: nothing an article needs
        items: list[Any] = []
        seen[index] = items
        items.extend(_resolve(table, i, seen) for i in node)
        return items
    return node


def dicts(value: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside a resolved payload, depth first."""
    stack = [value]
    visited: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, dict):
            yield node
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
