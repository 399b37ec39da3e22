"""Text helpers shared by the parsers and the normalise pipeline: HTML to text, whitespace."""

from __future__ import annotations

import re
import unicodedata

import lxml.html
from lxml import etree

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "table",
        "tr",
        "figure",
        "figcaption",
        "br",
        "hr",
        "dl",
        "dt",
        "dd",
    ]
)
DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "button", "form")

_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_BLANK_LINES = re.compile(r"\n{2,}")
# Full-width ASCII letters, digits and a few symbols are folded to half-width;
# Chinese punctuation (，。：；！？（）) is kept, since it is correct Chinese typography.
_FULLWIDTH_ALNUM = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff05\uff0b\uff0d\uff0e\uff0f\uff1d\uff20]")


def fold_fullwidth(text: str) -> str:
    """Turn full-width letters and digits (ＡＩ，２０２６) into ASCII, leaving CJK punctuation."""
    return _FULLWIDTH_ALNUM.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def clean_line(text: str) -> str:
    """Collapse runs of spaces (ASCII, NBSP, ideographic) and trim."""
    return _SPACES.sub(" ", text).strip()


def normalize_text(text: str) -> str:
    """Normalise a multi-line text: clean each line, drop empty ones, fold full-width alnum."""
    text = fold_fullwidth(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (clean_line(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(fragment: str | etree._Element) -> str:
    """Plain text of an HTML fragment, one block element (paragraph, heading, item) per line."""
    if isinstance(fragment, str):
        if not fragment.strip():
            return ""
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    else:
        root = fragment
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in DROP_TAGS or (not tag and not isinstance(el, etree._Entity)):
            # comments and processing instructions carry no text, but their tail does
            if el.tail:
                parts.append(el.tail)
            return
        block = tag in BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
        if block:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(root)
    return normalize_text("".join(parts))


def looks_like_html(text: str) -> bool:
    """Whether a string holds markup rather than plain text."""
    return bool(re.search(r"<(p|div|br|span|img|a|section|strong|h\d)\b[^>]*>", text, re.I))


def lead(text: str, limit: int = 200) -> str:
    """The opening sentences of a text's paragraphs, whole, until half of ``limit`` characters, never over it.

    Paragraph breaks are kept; bylines and 导读 tags are stripped (``crawler.summary.strip_credits``)
    and lines that are not running text (subheadings) skipped.
    Only a first sentence longer than ``limit`` is cut, at a clause boundary, marked with an ellipsis.
    A text with no sentence at all gives its first line, cut the same way.
    """
    from crawler.summary import fit, is_prose, sentences, strip_credits  # patterns load on first use

    parts: list[str] = []
    lines = [line.strip() for line in strip_credits(text).split("\n") if line.strip()]
    for line in lines:
        found = sentences(line) if is_prose(line) else []
        if found and parts:
            found[0] = "\n" + found[0]
        parts.extend(found)
    out = fit(parts, low=limit // 2, high=limit).strip()
    if out or not lines:
        return out
    first = lines[0]
    return first if len(first) <= limit else fit([first], high=limit) or first[: limit - 1] + "…"
