"""Text helpers shared by the parsers and the normalise pipeline: HTML to the text a reader sees, whitespace."""

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
# Utility classes that hide an element (Bootstrap, Tailwind, WordPress), unless a responsive
# class shows it again at some width (Tailwind ``hidden md:block``, Bootstrap ``d-none d-md-block``).
_HIDDEN_CLASSES = frozenset(
    ["hidden", "hide", "d-none", "invisible", "sr-only", "visually-hidden", "screen-reader-text", "is-hidden"]
)
_SHOWN_AT_WIDTH = re.compile(
    r"^(\w+:(block|inline|inline-block|flex|inline-flex|grid|table|contents|visible)|d-\w+-(?!none)\w+)$"
)
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


def one_line(text: str) -> str:
    """A title, author or tag as one clean line: line breaks become spaces, full-width alnum folded."""
    return clean_line(" ".join(normalize_text(text).split("\n")))


def hidden_state(el: etree._Element) -> str | None:
    """How an element hides itself from a reader: ``"gone"`` (its whole subtree), ``"invisible"``
    (``visibility: hidden``, which a descendant may undo), ``"visible"`` (undoes it), or None.

    Only what the markup says is read: inline ``style``, the ``hidden`` attribute,
    ``aria-hidden="true"`` and the hiding utility classes of the common CSS frameworks.
    """
    if not isinstance(el.tag, str):
        return None
    if el.get("hidden") is not None or el.get("aria-hidden", "").strip().lower() == "true":
        return "gone"
    classes = el.get("class", "").split()
    if _HIDDEN_CLASSES.intersection(classes) and not any(_SHOWN_AT_WIDTH.match(c) for c in classes):
        return "gone"
    style = el.get("style")
    if not style:
        return None
    display, visibility = _style_value(style, "display"), _style_value(style, "visibility")
    if display == "none":
        return "gone"
    if visibility in ("hidden", "collapse"):
        return "invisible"
    return "visible" if visibility == "visible" else None


def drop_hidden(root: etree._Element) -> None:
    """Remove, in place, what a reader of the page never sees (see ``hidden_state``); ``root`` itself stays.

    One exception, for whole pages read without a site parser: a ``visibility: hidden`` element
    holding at least half of the page's text is the page waiting for its script to show it
    (WeChat's ``#js_content``). ``display: none`` and the other markers have no such exception.
    """
    total = _text_length(root)

    def walk(el: etree._Element, invisible: bool) -> None:
        for child in list(el):
            state = hidden_state(child)
            if state == "invisible" and _text_length(child) * 2 >= total > 0:
                state = None
            if invisible:
                child.tail = None  # a tail is its parent's text, hidden with it
            if state == "gone":
                _remove_keeping_tail(child)
                continue
            child_invisible = invisible if state is None else state == "invisible"
            if child_invisible:
                child.text = None
            walk(child, child_invisible)

    walk(root, False)


def html_to_text(fragment: str | etree._Element) -> str:
    """Plain text of an HTML fragment as a reader sees it, one block element (paragraph, heading, item) per line.

    Hidden elements (``display: none``, ``hidden``, see ``hidden_state``) are left out, the
    element passed in included: a parser that renders a page's blocks one by one never lets a
    hidden one through. A parser that knows its page shows a hidden container once a script
    runs (WeChat's ``#js_content``) removes that style itself.
    """
    if isinstance(fragment, str):
        if not fragment.strip():
            return ""
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    else:
        root = fragment
    parts: list[str] = []

    def walk(el: etree._Element, invisible: bool, parent_invisible: bool) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        state = hidden_state(el)
        if tag in DROP_TAGS or state == "gone" or (not tag and not isinstance(el, etree._Entity)):
            # comments and processing instructions carry no text, but their tail does
            if el.tail and not parent_invisible:
                parts.append(el.tail)
            return
        if state is not None:
            invisible = state == "invisible"
        block = tag in BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.text and not invisible:
            parts.append(el.text)
        for child in el:
            walk(child, invisible, invisible)
        if block:
            parts.append("\n")
        if el.tail and not parent_invisible:
            parts.append(el.tail)

    walk(root, False, False)
    return normalize_text("".join(parts))


def _style_value(style: str, prop: str) -> str | None:
    """The last value ``style`` gives ``prop`` (as the browser applies it), lower-cased, or None."""
    value = None
    for declaration in style.split(";"):
        name, sep, rest = declaration.partition(":")
        if sep and name.strip().lower() == prop:
            value = rest.replace("!important", "").strip().lower()
    return value


def _text_length(el: etree._Element) -> int:
    """Characters of text under ``el`` that a page can show (scripts and styles not counted)."""
    if isinstance(el.tag, str) and el.tag in DROP_TAGS:
        return 0
    length = len((el.text or "").strip()) if isinstance(el.tag, str) else 0
    for child in el:
        length += _text_length(child) + len((child.tail or "").strip())
    return length


def _remove_keeping_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


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
