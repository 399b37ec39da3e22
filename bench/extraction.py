"""Extraction quality: every site parser, the generic extractor and bare trafilatura on the saved pages.

Run from the repository root: ``.venv/bin/python -m bench.extraction``. For every saved page with
an expected article it scores the body by character-bigram F1 (Chinese has no spaces to split
words on) and the publish time to the minute; for every saved verification page it counts
the extractors that let it through as an article. Prints one table for the real captures
(``tests/fixtures/real``: their expected files, the pages kept there and those of
``../shared/fixtures/pages``) and one for the hand-built fixtures; ``--set`` picks one.
"""

from __future__ import annotations

import argparse
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import trafilatura

from crawler.dates import SHANGHAI, parse_published
from crawler.normalize import normalize_article
from crawler.pages import PageBlocked, ParseError, generic
from crawler.text import normalize_text
from tests.saved_pages import SHARED_PAGES, SavedPage, real_pages, saved_pages

TARGET_F1 = 0.97
TARGET_SOURCE_F1 = 0.95
TARGET_TIME = 0.98
EXTRACTORS = ("parser", "generic", "trafilatura")


def bigram_f1(got: str, want: str) -> float:
    """F1 of the multisets of character bigrams, whitespace ignored."""
    a, b = _bigrams(got), _bigrams(want)
    if not a and not b:
        return 1.0
    overlap = sum((a & b).values())
    return 2 * overlap / (sum(a.values()) + sum(b.values()))


def _bigrams(text: str) -> Counter[str]:
    chars = "".join(text.split())
    return Counter(chars[i : i + 2] for i in range(len(chars) - 1))


def same_minute(got: datetime | None, want: str | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    expected = datetime.fromisoformat(want)
    return got.astimezone(SHANGHAI).replace(second=0, microsecond=0) == expected.astimezone(SHANGHAI).replace(
        second=0, microsecond=0
    )


@dataclass
class Score:
    """Sums for one (source, extractor)."""

    pages: int = 0
    f1: float = 0.0
    dated: int = 0
    time_ok: int = 0
    blocked_pages: int = 0
    let_through: int = 0
    fields_ok: int = 0
    fields: int = 0
    worst: list[tuple[float, str]] = field(default_factory=list)


# The fields besides body and time an expected file may name; scored as exact matches.
FIELDS = ("title", "author", "summary", "tags")


def run_parser(page: SavedPage, parse: Callable[[str, str], Any]) -> tuple[str, datetime | None]:
    """Body and resolved publish time as they would be stored; an empty body when the parser refuses."""
    doc = stored(page, parse)
    return (doc["body"], doc["published_at"]) if doc else ("", None)


def stored(page: SavedPage, parse: Callable[[str, str], Any]) -> dict[str, Any] | None:
    """The document the parser's item becomes, or None when the parser refuses the page."""
    try:
        item = parse(page.text(), page.url)
    except ParseError:
        return None
    return normalize_article(item, fetched_at=page.fetched_at)


def fields_right(page: SavedPage, parse: Callable[[str, str], Any]) -> tuple[int, int]:
    """How many of the expected title/author/summary/tags the parser gets exactly, of how many."""
    want = page.expected["article"]
    named = [f for f in FIELDS if f in want]
    doc = stored(page, parse) or {}
    return sum(doc.get(f) == want[f] for f in named), len(named)


def run_trafilatura(page: SavedPage) -> tuple[str, datetime | None]:
    """Bare ``trafilatura.extract`` and its metadata date, no tuning."""
    text = page.text()
    body = normalize_text(trafilatura.extract(text, url=page.url) or "")
    meta = trafilatura.extract_metadata(text, default_url=page.url)
    date = meta.date if meta is not None else None
    return body, parse_published(date, now=page.fetched_at) if date else None


def source_of(page: SavedPage) -> str:
    module = page.expected["parser"].split(":")[0].rsplit(".", 1)[-1]
    name = "user feeds" if module == "generic" else module
    return f"{name} ({page.expected['variant']} only)" if page.expected.get("variant") else name


def measure(pages: list[SavedPage]) -> dict[str, dict[str, Score]]:
    scores: dict[str, dict[str, Score]] = defaultdict(lambda: {name: Score() for name in EXTRACTORS})
    for page in pages:
        want = page.expected.get("article")
        blocked = page.expected.get("error") == "PageBlocked"
        if not blocked and not (want and "body" in want):
            continue  # list and feed pages, deleted articles: nothing to extract
        row = scores[source_of(page)]
        if blocked:
            for name, parse in (("parser", page.parser()), ("generic", generic.parse_article)):
                row[name].blocked_pages += 1
                try:
                    parse(page.text(), page.url)
                except (PageBlocked, ParseError):
                    continue
                row[name].let_through += 1
            continue
        assert want is not None
        results = {
            "parser": run_parser(page, page.parser()),
            "generic": run_parser(page, generic.parse_article),
            "trafilatura": run_trafilatura(page),
        }
        for name, parse in (("parser", page.parser()), ("generic", generic.parse_article)):
            ok, named = fields_right(page, parse)
            row[name].fields_ok += ok
            row[name].fields += named
        for name, (body, published) in results.items():
            score = row[name]
            f1 = bigram_f1(body, want["body"])
            score.pages += 1
            score.f1 += f1
            score.worst.append((f1, page.id))
            if "published_at" in want:
                score.dated += 1
                score.time_ok += same_minute(published, want["published_at"])
    return scores


def render(scores: dict[str, dict[str, Score]]) -> str:
    head = (
        "source",
        "pages",
        "parser F1",
        "parser time",
        "generic F1",
        "generic time",
        "trafilatura F1",
        "trafilatura time",
        "fields right (parser/generic)",
        "blocked let through (parser/generic)",
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    total = {name: Score() for name in EXTRACTORS}
    for source in sorted(scores):
        row = scores[source]
        lines.append(_line(source, row))
        for name in EXTRACTORS:
            for attr in ("pages", "f1", "dated", "time_ok", "blocked_pages", "let_through", "fields_ok", "fields"):
                setattr(total[name], attr, getattr(total[name], attr) + getattr(row[name], attr))
    lines.append(_line("**overall**", total))
    return "\n".join(lines)


def _line(source: str, row: dict[str, Score]) -> str:
    cells = [source, str(row["parser"].pages)]
    for name in EXTRACTORS:
        s = row[name]
        cells.append(f"{s.f1 / s.pages:.3f}" if s.pages else "–")
        cells.append(f"{s.time_ok}/{s.dated} ({s.time_ok / s.dated:.0%})" if s.dated else "–")
    p, g = row["parser"], row["generic"]
    cells.append(f"{p.fields_ok}/{p.fields} / {g.fields_ok}/{g.fields}" if p.fields else "–")
    cells.append(f"{p.let_through}/{p.blocked_pages} / {g.let_through}/{g.blocked_pages}" if p.blocked_pages else "–")
    return "| " + " | ".join(cells) + " |"


def verdict(scores: dict[str, dict[str, Score]]) -> list[str]:
    """The site parsers against the targets: body F1, publish time, verification pages."""
    notes = []
    pages = sum(r["parser"].pages for r in scores.values())
    f1 = sum(r["parser"].f1 for r in scores.values()) / max(pages, 1)
    dated = sum(r["parser"].dated for r in scores.values())
    time_ok = sum(r["parser"].time_ok for r in scores.values())
    leaks = sum(r["parser"].let_through for r in scores.values())
    notes.append(f"overall parser body F1 {f1:.3f} (target ≥ {TARGET_F1}): {'ok' if f1 >= TARGET_F1 else 'MISSED'}")
    share = time_ok / max(dated, 1)
    notes.append(
        f"publish time to the minute {time_ok}/{dated} = {share:.1%} (target ≥ {TARGET_TIME:.0%}): "
        f"{'ok' if share >= TARGET_TIME else 'MISSED'}"
    )
    notes.append(f"verification pages let through by site parsers: {leaks} (target 0): {'MISSED' if leaks else 'ok'}")
    for source, row in sorted(scores.items()):
        s = row["parser"]
        if s.pages and s.f1 / s.pages < TARGET_SOURCE_F1:
            worst = ", ".join(f"{pid} {f:.3f}" for f, pid in sorted(s.worst)[:3])
            notes.append(f"{source}: body F1 {s.f1 / s.pages:.3f} < {TARGET_SOURCE_F1} (worst: {worst})")
        if s.dated and s.time_ok < s.dated:
            notes.append(f"{source}: publish time right on {s.time_ok}/{s.dated} pages")
    return notes


# The embedded data a site parser prefers; without it the parser must read the markup, as it does
# when 36Kr encrypts its state or AIbase renders without the record.
_EMBEDDED = {
    "kr36": re.compile(r"window\.initialState=\{.*?\}</script>", re.S),
    "aibase": re.compile(r"<script>self\.__next_f\.push\(.*?\)</script>|<script[^>]*__NUXT_DATA__.*?</script>", re.S),
}


@dataclass
class MarkupOnly(SavedPage):
    """A saved page with its embedded data removed, scored as its own source row."""

    def text(self) -> str:
        return _EMBEDDED[self.expected["parser"].split(":")[0].rsplit(".", 1)[-1]].sub("</script>", super().text())


def page_sets() -> dict[str, list[SavedPage]]:
    """The real captures and the hand-built fixtures, each page once, plus markup-only variants."""
    every = list(saved_pages()) + list(real_pages())
    real = [p for p in every if p.real and p.available]
    variants = [
        MarkupOnly(p.path, p.url, {**p.expected, "variant": "markup"})
        for p in real
        if "article" in p.expected and source_of(p) in _EMBEDDED
    ]
    return {"real": real + variants, "hand-built": [p for p in every if not p.real]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("real", "hand-built", "both"), default="both", dest="which")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # trafilatura warns on every page it discards
    sets = page_sets()
    missing = [p for p in real_pages() if not p.available]
    for name in ("real", "hand-built"):
        if args.which not in (name, "both"):
            continue
        print(f"## {name} pages")
        if name == "real" and missing:
            print(f"({len(missing)} real captures skipped: {SHARED_PAGES} is absent)")
        scores = measure(sets[name])
        print(render(scores))
        print()
        for note in verdict(scores):
            print("- " + note)
        print()


if __name__ == "__main__":
    main()
