"""Extractive text without an LLM, scored against human-written text of the labelled archive.

Two tasks, each beside the method aidaily used before (the baseline row):

- key-point labels (the digest's bold 要点名): for the first sentence of an item, a label; scored
  against what the archive's editors wrote for it — the **bold spans** of that sentence (days up to
  November) and the item's **title** (December's "1. **title。**" layout).
- 今日摘要: for a day, an overview made from its items' summaries, most important first (the
  archive's section order, round-robin: the first item of each section, then the second...);
  scored against the day's human 今日摘要.

Score: character-bigram precision / recall / F1, punctuation and spaces removed, Latin lower-cased,
averaged over items (labels) or days (overview). Split by date: days 1–15 of a month are dev (tuned
on), days 16–31 test (measured once per candidate). Keywords of an item, as enrichment would give
them, are approximated by jieba's TF-IDF (``jieba.analyse.extract_tags``, its own IDF), top 8.

    .venv/bin/python -m bench.extractive_quality [--archive DIR]
"""

from __future__ import annotations

import argparse
import itertools
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from crawler.summary import ends_sentence, sentences, summarize
from enrich.extractive import key_phrase, overview
from enrich.grounding import bigrams
from enrich.labels import derive_title, parse_day, plain_text

ARCHIVE = Path(__file__).resolve().parents[1].parent / "shared" / "labels" / "hubtoday-daily"
_NUMBERED = re.compile(r"^\s{0,3}\d{1,2}\.\s+(.*\S)\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_FENCE = re.compile(r"```\n(.*?)\n```", re.S)


@dataclass(frozen=True)
class LabelCase:
    date: str
    sentence: str  # plain text of the item's first sentence
    paragraph: str  # the whole item, plain
    reference: str  # what the editor wrote: the sentence's bold spans, or the item's title
    kind: str  # "bold" or "title"


@dataclass(frozen=True)
class DayCase:
    date: str
    summaries: tuple[str, ...]  # items' summaries, most important first
    titles: tuple[str, ...]
    reference: str


def is_dev(date: str) -> bool:
    return int(date[-2:]) <= 15


def score(candidate: str, reference: str) -> tuple[float, float, float]:
    """Character-bigram precision, recall and F1."""
    got, want = bigrams(candidate), bigrams(reference)
    if not got or not want:
        return 0.0, 0.0, 0.0
    hit = len(got & want)
    p, r = hit / len(got), hit / len(want)
    return p, r, (2 * p * r / (p + r) if hit else 0.0)


def label_cases(path: Path) -> list[LabelCase]:
    """The items of one day that carry editors' emphasis: bold spans in their first sentence, or a title."""
    date = path.stem
    text = path.read_text(encoding="utf-8")
    cases: list[LabelCase] = []
    for line in text.splitlines():
        match = _NUMBERED.match(line)
        if not match or (match.group(1).startswith("**") and match.group(1).rstrip().endswith("**")):
            continue  # a title line, handled with the parsed items below
        raw = match.group(1)
        first_raw = next(iter(sentences(raw)), "")
        spans = [plain_text(s) for s in _BOLD.findall(first_raw)]
        spans = [s for s in spans if len(s) >= 2]
        if spans:
            cases.append(LabelCase(date, plain_text(first_raw), plain_text(raw), " ".join(spans), "bold"))
    items, _ = parse_day(text, date)
    for item in items:
        if item.title and item.title != derive_title(item.body):
            first = next(iter(sentences(item.body)), "")
            if first:
                cases.append(LabelCase(date, first, item.body, item.title.rstrip("。."), "title"))
    return cases


def day_case(path: Path) -> DayCase | None:
    """A day with a human 今日摘要 and parsed items, or None."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "今日摘要" in line or "AI内容摘要" in line), None)
    if start is None:
        return None
    fence = _FENCE.search("\n".join(lines[start:]))
    items, _ = parse_day(text, path.stem)
    if fence is None or not items:
        return None
    by_section: dict[str, list[tuple[str, str]]] = {}
    for item in items:
        by_section.setdefault(item.heading, []).append((summarize(item.body), item.title))
    ordered = [x for row in itertools.zip_longest(*by_section.values()) for x in row if x is not None]
    reference = "".join(line.strip() for line in fence.group(1).splitlines())
    return DayCase(path.stem, tuple(s for s, _ in ordered), tuple(t for _, t in ordered), reference)


# --- methods -------------------------------------------------------------------------------------


def make_keywords() -> Callable[[str], list[str]]:
    import jieba
    import jieba.analyse

    jieba.setLogLevel(60)
    extractor = jieba.analyse.TFIDF()
    return lambda text: list(extractor.extract_tags(text, topK=8))


def label_baseline(case: LabelCase, keywords: Sequence[str]) -> str:
    """Before: the first TF-IDF keyword that the sentence contains."""
    return next((k for k in keywords if k in case.sentence), "")


def label_textrank(case: LabelCase, ranked: Sequence[str]) -> str:
    """jieba's TextRank: its top keyword of the paragraph that the sentence contains."""
    return next((k for k in ranked if k in case.sentence), "")


def label_phrase(case: LabelCase, keywords: Sequence[str]) -> str:
    """Now: ``enrich.extractive.key_phrase`` (entity + action)."""
    return key_phrase(case.sentence, keywords, "")


def overview_baseline(case: DayCase) -> str:
    """Before: the first sentence of the top three summaries, stitched into one paragraph."""
    firsts = [next((s for s in sentences(x) if ends_sentence(s)), "") for x in case.summaries[:3]]
    return "".join(firsts)


def overview_now(case: DayCase) -> str:
    """Now: ``enrich.extractive.overview`` (one trimmed sentence per story, five stories)."""
    return overview(case.summaries)


def overview_three(case: DayCase) -> str:
    return overview(case.summaries, stories=3)


def overview_titles(case: DayCase) -> str:
    """The stories' titles as sentences (an upper bound of sorts: titles are editors' words)."""
    return "".join(t.rstrip("。") + "。" for t in case.titles[:5])


# --- tables --------------------------------------------------------------------------------------


def mean_scores(pairs: Iterable[tuple[str, str]]) -> tuple[int, float, float, float, float]:
    rows = [(score(c, r), len(c)) for c, r in pairs]
    if not rows:
        return 0, 0.0, 0.0, 0.0, 0.0
    p, r, f = (statistics.fmean(x[0][i] for x in rows) for i in range(3))
    return len(rows), p, r, f, statistics.fmean(x[1] for x in rows)


def table(title: str, header: str, rows: list[str]) -> str:
    sep = "|" + "|".join("---" for _ in header.strip("|").split("|")) + "|"
    return "\n".join([f"### {title}", "", header, sep, *rows, ""])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=ARCHIVE)
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both", help="tune on dev; test once")
    args = parser.parse_args(argv)
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    if not args.archive.is_dir():
        raise SystemExit(f"no labelled archive at {args.archive} (../shared/labels/hubtoday-daily)")
    paths = sorted(args.archive.glob("*.md"))
    keywords_of = make_keywords()
    import jieba.analyse

    textrank = jieba.analyse.TextRank()
    cases = [c for p in paths for c in label_cases(p)]
    keywords = {c.paragraph: keywords_of(c.paragraph) for c in cases}
    ranked = {c.paragraph: list(textrank.textrank(c.paragraph, topK=8)) for c in cases}
    methods: list[tuple[str, Callable[[LabelCase], str]]] = [
        ("baseline: first TF-IDF keyword (before)", lambda c: label_baseline(c, keywords[c.paragraph])),
        ("jieba TextRank keyword", lambda c: label_textrank(c, ranked[c.paragraph])),
        ("entity + action (now)", lambda c: label_phrase(c, keywords[c.paragraph])),
    ]
    header = "| split | reference | method | items | P | R | F1 | mean chars |"
    rows = []
    for split, kind in itertools.product(splits, ("bold", "title")):
        chosen = [c for c in cases if is_dev(c.date) == (split == "dev") and c.kind == kind]
        for name, method in methods:
            n, p, r, f, chars = mean_scores((method(c), c.reference) for c in chosen)
            rows.append(f"| {split} | {kind} | {name} | {n} | {p:.3f} | {r:.3f} | {f:.3f} | {chars:.1f} |")
    print(table("Key-point labels vs the editors' bold spans and titles", header, rows))

    days = [d for p in paths if (d := day_case(p)) is not None]
    day_methods: list[tuple[str, Callable[[DayCase], str]]] = [
        ("baseline: 3 first sentences stitched (before)", overview_baseline),
        ("one trimmed sentence per story, 3 stories", overview_three),
        ("one trimmed sentence per story, 5 stories (now)", overview_now),
        ("5 titles as sentences", overview_titles),
    ]
    rows = []
    for split in splits:
        chosen_days = [d for d in days if is_dev(d.date) == (split == "dev")]
        for name, method in day_methods:
            n, p, r, f, chars = mean_scores((method(d), d.reference) for d in chosen_days)
            rows.append(f"| {split} | {name} | {n} | {p:.3f} | {r:.3f} | {f:.3f} | {chars:.0f} |")
    print(table("今日摘要 vs the human 今日摘要", "| split | method | days | P | R | F1 | mean chars |", rows))


if __name__ == "__main__":
    main()
