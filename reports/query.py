"""A search query's terms and quoted phrases: pure text handling, light to import.

``aidaily search`` checks its query with this before it loads the tokenizer, numpy or pymongo, so a
query that cannot be searched is refused at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_PHRASE = re.compile(r'"([^"]+)"|“([^”]+)”|「([^」]+)」')
_QUOTES = re.compile(r'["“”「」]')


class QueryError(ValueError):
    """The query cannot be searched; the message says why, in one line."""


def check_query_text(text: str) -> None:
    """Refuse, before any tokenizer is built, a query that cannot hold an indexed word.

    Indexed words have two characters or more, so a query whose every piece between spaces
    (quote marks aside) has at most one cannot match anything: ``的``, ``a b``.
    """
    if not text.strip():
        raise QueryError("the search query is empty")
    if all(len(piece.lower()) <= 1 for piece in _QUOTES.sub(" ", text).split()):
        raise QueryError(_no_words(text))


def parse_query(text: str, tokenize: Callable[[str], list[str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Terms and quoted phrases of ``text``; a phrase's own tokens are required terms too."""
    check_query_text(text)
    phrases = [next(g for g in m.groups() if g).strip() for m in _PHRASE.finditer(text)]
    phrases = [p for p in phrases if p]
    rest = _PHRASE.sub(" ", text)
    terms = list(dict.fromkeys([*tokenize(rest), *(t for p in phrases for t in tokenize(p))]))
    if not terms:
        raise QueryError(_no_words(text))
    return tuple(terms), tuple(dict.fromkeys(phrases))


def _no_words(text: str) -> str:
    return f"no searchable words in {text.strip()!r} (stop words and single characters are not indexed)"
