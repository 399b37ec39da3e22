"""Canonical article URLs: tracking parameters stripped, nothing else changed."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# utm_*, Alibaba's spm/scm, feed markers and share/referral tags; each is a pure tracker.
TRACKING_PARAM = re.compile(
    r"^(utm_\w+|spm|scm|f|from|source|share_token|share_source|share_medium|sharer_\w+|"
    r"ref|ref_src|fbclid|gclid|mc_cid|mc_eid|wfr|isappinstalled|clicktime|enterid|"
    r"sessionid|scene|subscene|ascene|devicetype|version|nettype|lang|pass_ticket|"
    r"exportkey|abtest_cookie|chksm)$",
    re.I,
)
# Only these keys are stripped when their value marks a feed or share: a ``f`` or ``from``
# with any other value can be a real page parameter.
_VALUE_BOUND = {
    "f": {"rss", "feed", "app"},
    "from": {"rss", "feed", "timeline", "singlemessage", "groupmessage"},
    "source": {"rss", "feed"},
    "ref": {"rss", "feed"},
    "version": None,
    "lang": None,
}


def _is_tracking(key: str, value: str) -> bool:
    if not TRACKING_PARAM.match(key):
        return False
    allowed = _VALUE_BOUND.get(key.lower(), "any")
    if allowed == "any":
        return True
    if allowed is None:
        return False
    return value.lower() in allowed


def canonicalize_url(url: str) -> str:
    """``url`` without tracking parameters or fragment, scheme and host lower-cased.

    WeChat article URLs keep ``__biz``, ``mid``, ``idx`` and ``sn``, which name the article.
    """
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k, v)]
    netloc = parts.netloc.lower()
    if (netloc.endswith(":80") and parts.scheme == "http") or (netloc.endswith(":443") and parts.scheme == "https"):
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query, safe=":/,"), ""))
