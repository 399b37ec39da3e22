"""Reading the per-source lines of ``aidaily crawl`` and ``aidaily daily`` back into numbers (tests only)."""

from __future__ import annotations

import re

# ``label: found N, counter n, dropped n (reason n, ...); note n; ...``: the notes are outside the sum
LINE = re.compile(r"^\s*(?P<label>[^:]+): found (?P<found>\d+), (?P<parts>[^;]*?)(?:; .*)?$")
PART = re.compile(r"(?P<name>[a-z][a-z ]*?) (?P<n>-?\d+)(?: \((?P<why>[^)]*)\))?(?:, |$)")
COUNTERS = ("new", "updated", "unchanged", "already stored", "dropped", "spooled", "unkept", "unaccounted")


def article_lines(output: str) -> dict[str, dict[str, int]]:
    """``{label: {"found": n, counter: n, ...}}`` of every article line (not the leaderboard's) in ``output``."""
    lines: dict[str, dict[str, int]] = {}
    for line in output.splitlines():
        match = LINE.match(line)
        if match is None or "leaderboard snapshots" in line:
            continue
        counts = {"found": int(match["found"])}
        parts = re.sub(r", \d+ errors logged$", "", match["parts"])
        for part in PART.finditer(parts):
            assert part["name"] in COUNTERS, f"{part['name']!r} is no counter: {line}"
            counts[part["name"]] = int(part["n"])
            if part["why"]:
                reasons = [int(r.rsplit(" ", 1)[1]) for r in part["why"].split(", ")]
                assert sum(reasons) == int(part["n"]), f"the reasons do not add up: {line}"
        assert PART.sub("", parts) == "", f"unread text in {line!r}"
        lines[match["label"].strip()] = counts
    return lines


def assert_every_line_adds_up(output: str) -> dict[str, dict[str, int]]:
    """Each article line's counters sum to its ``found`` with nothing unaccounted; the lines, read."""
    lines = article_lines(output)
    assert lines, output
    for label, counts in lines.items():
        assert "unaccounted" not in counts, f"{label}: {counts}"
        assert sum(n for name, n in counts.items() if name != "found") == counts["found"], f"{label}: {counts}"
    return lines
