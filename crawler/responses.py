"""Checks on a downloaded response before a parser reads it: a lying charset, a cut body, the server's clock.

Pure functions of a Scrapy response; the downloader middlewares (``crawler.middlewares``) act
on what they find, and the spiders read ``served_at``.
"""

from __future__ import annotations

import codecs
import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from charset_normalizer import from_bytes
from scrapy.http import Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, resolve_encoding

from crawler.dates import SHANGHAI

# Flag a response carries once it stayed truncated after its retries (never stored as complete).
TRUNCATED_FLAG = "truncated"
# A Date header outside this range is a broken server clock, not when the page was served.
_OLDEST_DATE = datetime(1995, 1, 1, tzinfo=UTC)
_CLOCK_SKEW = timedelta(days=1)
_OPENS_HTML = re.compile(rb"<(html|body)[\s>]", re.I)
_CLOSES_HTML = re.compile(rb"</(html|body)\s*>", re.I)
_OPENS_FEED = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]")
_CLOSES_FEED = re.compile(rb"</(rss|feed|rdf:RDF)\s*>")


def served_at(response: Response, *, now: datetime | None = None) -> datetime | None:
    """When the server says it sent ``response`` (its ``Date`` header), in Asia/Shanghai; None when
    absent or implausible (unparseable, before 1995, or more than a day ahead of ``now``).

    A live server sends the current time; a saved page replayed by the mirror sends the time
    it was saved, so its relative dates (``3小时前``) resolve as they did that day.
    """
    raw = response.headers.get(b"Date")
    if not raw:
        return None
    try:
        value = parsedate_to_datetime(raw.decode("latin-1"))
    except (TypeError, ValueError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # RFC 9110: HTTP dates are GMT
    now = now or datetime.now(UTC)
    if not _OLDEST_DATE <= value <= now + _CLOCK_SKEW:
        return None
    return value.astimezone(SHANGHAI)


def truncation(response: Response) -> str | None:
    """Why ``response`` looks cut short, or None: ``dataloss`` (fewer bytes than Content-Length,
    as Scrapy flags it), ``unclosed_html`` (an HTML page opened but never closed), ``unclosed_feed``,
    ``cut_json`` (a JSON body that ends mid-value)."""
    if not 200 <= response.status < 300:
        return None  # error pages are the status code's business, not a cut article
    if "dataloss" in response.flags:
        return "dataloss"
    if not isinstance(response, TextResponse) or not response.body.strip():
        return None
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    body = response.body
    if "html" in content_type and _OPENS_HTML.search(body[:65536]) and not _closes(_CLOSES_HTML, body):
        return "unclosed_html"
    if "xml" in content_type and _OPENS_FEED.search(body[:4096]) and not _closes(_CLOSES_FEED, body):
        return "unclosed_feed"
    if "json" in content_type and _json_cut(response.text):
        return "cut_json"
    return None


def _closes(closing: re.Pattern[bytes], body: bytes) -> bool:
    """Whether ``body`` has its closing tag: near the end as a rule, anywhere since CDNs append
    scripts after ``</html>``."""
    return bool(closing.search(body[-65536:]) or closing.search(body))


def _json_cut(text: str) -> bool:
    """Whether ``text`` is JSON that stops before its value ends (malformed JSON is a parser's concern)."""
    doc = text.strip().lstrip("\ufeff")
    if not doc.startswith(("{", "[")):
        return False
    try:
        json.loads(doc)
    except json.JSONDecodeError as exc:
        return exc.pos >= len(doc) or exc.msg.startswith("Unterminated string")
    return False


def corrected_encoding(response: TextResponse) -> tuple[str, str] | None:
    """``(encoding, how)`` to decode ``response`` with when the encoding it declares cannot read it.

    A GBK page served as ``charset=utf-8`` decodes to replacement characters; then the page's own
    ``<meta charset>`` is tried, then charset-normalizer's detection, and the first that decodes
    every byte wins. None when the declared encoding reads the body, or when nothing better does
    (a UTF-8 page with one stray byte keeps UTF-8).
    """
    body = response.body
    declared = response.encoding
    if _undecodable(body, declared) == 0:
        return None
    meta = html_body_declared_encoding(body)
    detected = from_bytes(body).best()
    for candidate, how in ((meta, "meta charset"), (detected.encoding if detected else None, "detected")):
        name = resolve_encoding(candidate) if candidate else None
        if name and name != resolve_encoding(declared) and _undecodable(body, name) == 0:
            return name, how
    return None


def undecodable_bytes(response: TextResponse) -> int:
    """How many byte sequences of the body its encoding cannot decode."""
    return _undecodable(response.body, response.encoding)


def _undecodable(body: bytes, encoding: str) -> int:
    """Byte sequences ``encoding`` cannot decode; a character cut at the very end is truncation's
    business, not the charset's, so the decoders are told more bytes might follow."""
    try:
        body.decode(encoding)
        return 0  # the common case, one pass
    except UnicodeDecodeError:
        pass
    except LookupError:
        return len(body)  # an encoding Python does not know reads nothing
    try:
        replaced = codecs.getincrementaldecoder(encoding)("replace").decode(body, final=False)
        ignored = codecs.getincrementaldecoder(encoding)("ignore").decode(body, final=False)
    except LookupError:
        return len(body)  # an encoding Python does not know reads nothing
    return len(replaced) - len(ignored)
