"""Next.js App Router pages: the React Flight data they inline as ``self.__next_f.push([...])`` chunks.

A server-rendered App Router page streams its React Server Component payload into the HTML as
script chunks: ``[1, "<text>"]`` (a piece of the stream as a string) or ``[3, "<base64>"]``
(binary). Joined and encoded as UTF-8 they form the Flight stream, a sequence of rows
``<hex id>:<value>\\n``. A value is JSON, or a tagged row (``I[...]`` a module import,
``HL[...]`` a preload hint, ``E{...}`` an error), or a text row ``T<hex byte length>,<text>``
whose text has no terminating newline. JSON values refer to text rows as ``"$<hex id>"``:
a long string (an article's HTML) is sent once as a text row and referenced from the data.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from parsel import Selector

# ``self.__next_f.push(`` or, for the first chunk, ``(self.__next_f=self.__next_f||[]).push(``
_PUSH = re.compile(r"^\s*\(?self\.__next_f(?:\s*=\s*self\.__next_f\s*\|\|\s*\[\]\s*\))?\.push\(")
_ROW_HEAD = re.compile(rb"([0-9a-f]*):")
# Row tags followed by a hex byte length and a comma: text, and React's typed-array rows.
_SIZED_TAGS = b"TAOoUSsLlGgMmV"
_SIZE = re.compile(rb"([0-9a-f]+),")
_REFERENCE = re.compile(r"^\$([0-9a-f]+)$")


@dataclass
class Flight:
    """The rows of a page's Flight stream: JSON values and text rows, by row id."""

    values: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.values or self.texts)

    def resolve(self, value: Any) -> Any:
        """A JSON string as the page means it: ``"$1c"`` is text row 1c, ``"$$x"`` is ``"$x"``."""
        if not isinstance(value, str) or not value.startswith("$"):
            return value
        if value.startswith("$$"):
            return value[1:]
        if (m := _REFERENCE.match(value)) and m.group(1) in self.texts:
            return self.texts[m.group(1)]
        return value

    def dicts(self) -> Iterator[dict[str, Any]]:
        """Every JSON object in the stream's rows, depth first, row by row."""
        for value in self.values.values():
            stack = [value]
            while stack:
                node = stack.pop()
                if isinstance(node, dict):
                    yield node
                    stack.extend(reversed(list(node.values())))
                elif isinstance(node, list):
                    stack.extend(reversed(node))


def flight(text: str) -> Flight:
    """The Flight rows a Next.js page inlines; empty when the page has none."""
    stream = b"".join(_chunks(text))
    return _rows(stream) if stream else Flight()


def _chunks(text: str) -> Iterator[bytes]:
    for script in Selector(text=text).css("script::text").getall():
        if not (m := _PUSH.match(script)):
            continue
        try:
            pushed, _ = json.JSONDecoder().raw_decode(script, m.end())
        except json.JSONDecodeError:
            continue  # a chunk cut short by an excerpt or a broken save: the rest may still hold the data
        if not isinstance(pushed, list) or len(pushed) < 2 or not isinstance(pushed[1], str):
            continue  # [0] bootstraps the stream, [2, ...] is form state
        if pushed[0] == 1:
            yield pushed[1].encode("utf-8")
        elif pushed[0] == 3:
            try:
                yield base64.b64decode(pushed[1])
            except binascii.Error:
                continue


def _rows(stream: bytes) -> Flight:
    """Split the stream into rows; lengths of text rows count UTF-8 bytes, as React writes them."""
    rows = Flight()
    pos, end = 0, len(stream)
    while pos < end:
        head = _ROW_HEAD.match(stream, pos)
        if head is None:  # not at a row boundary: skip to the next line
            newline = stream.find(b"\n", pos)
            pos = end if newline < 0 else newline + 1
            continue
        row_id, pos = head.group(1).decode("ascii"), head.end()
        tag = stream[pos : pos + 1]
        size = _SIZE.match(stream, pos + 1) if tag and tag in _SIZED_TAGS else None
        if size is not None:
            start = size.end()
            stop = start + int(size.group(1), 16)
            if stop <= end and (stop == end or _ROW_HEAD.match(stream, stop)):
                if tag == b"T":
                    rows.texts[row_id] = stream[start:stop].decode("utf-8", "replace")
                pos = stop
            else:
                # An excerpt (or a truncated save) dropped this row's bytes: keep the row empty and
                # go on with the next row, which follows the header directly.
                if tag == b"T":
                    rows.texts.setdefault(row_id, "")
                pos = start
            continue
        newline = stream.find(b"\n", pos)
        stop = end if newline < 0 else newline
        line = stream[pos:stop]
        pos = stop + 1
        if line[:1].isupper():
            continue  # I (import), HL (hint), E (error), D/W (debug): no page data
        try:
            rows.values[row_id] = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
    return rows
