"""Links, domains and contact bait in generated text: none of it may reach a report.

A domain is any ``host.tld`` whose suffix is on the Public Suffix List (``tldextract``'s bundled
snapshot, read offline: no list is fetched), so ``evil.xyz``, ``t.me/…`` and ``bit.ly/…`` are
found like ``example.com``. Schemes (``https://``, ``javascript:``), scheme-less ``//host``,
``www.``, e-mail addresses and Markdown link syntax count as links too. Contact bait is what asks
a reader to reach someone outside the report: QR codes, messenger handles, group invitations,
phone numbers.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import tldextract

_SCHEME = re.compile(r"\b[a-z][a-z0-9+.\-]{1,20}://|\b(?:mailto|javascript|vbscript|data|file|tel|sms):", re.I)
_SCHEMELESS = re.compile(r"(?<![:/A-Za-z0-9])//[\w\-]+(?:\.[\w\-]+)*")
_MARKUP_LINK = re.compile(r"\]\s*\(|<\s*(?:a|img|iframe)\b|\bhref\s*=|\bsrc\s*=", re.I)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_WWW = re.compile(r"\bwww\d?\.", re.I)
# Candidate hosts: dot-separated ASCII labels (so a host glued to Chinese text, 访问evil.com, is
# found; IDNs arrive as xn-- punycode); the Public Suffix List decides which are domains.
_HOST = re.compile(r"(?:[A-Za-z0-9\-]+\.)+[A-Za-z0-9\-]+")
# An ideographic full stop between Latin labels ("evil。xyz") is a dot in disguise.
_DISGUISED_DOT = re.compile(r"(?<=[A-Za-z0-9])[。｡](?=[A-Za-z])")
_CONTACT = re.compile(
    r"扫码|扫一扫|二维码|加微信|微信号|微信群|[Qq]{2}群|电报群|私信|联系方式|客服电话|威信|v信"
    r"|(?<![A-Za-z])(?:vx|telegram|whatsapp|wechat|line\s*id|discord)(?![A-Za-z])"
    r"|(?<![\w@.])@[A-Za-z0-9_]{3,}"
    r"|(?<!\d)1[3-9]\d{9}(?!\d)",
    re.I,
)


@lru_cache(maxsize=1)
def _extract() -> tldextract.TLDExtract:
    # The snapshot that ships with the package: no network fetch, no cache directory written.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _normalise(text: str) -> str:
    # NFKC folds full-width forms (ｅｖｉｌ．ｘｙｚ, ：／／) into the ASCII a browser would read.
    return _DISGUISED_DOT.sub(".", unicodedata.normalize("NFKC", text))


def find_domain(text: str) -> str | None:
    """The first ``host.tld`` in ``text`` whose suffix is a public suffix, or None."""
    extract = _extract()
    for match in _HOST.finditer(_normalise(text)):
        candidate = match.group(0).strip(".-")
        parts = extract(candidate)
        if parts.suffix and parts.domain:
            return candidate
    return None


def find_link(text: str) -> str | None:
    """The first link, scheme, ``//host``, e-mail address, Markdown/HTML link or domain in ``text``, or None."""
    normal = _normalise(text)
    for pattern in (_SCHEME, _SCHEMELESS, _MARKUP_LINK, _EMAIL, _WWW):
        match = pattern.search(normal)
        if match:
            return match.group(0)
    return find_domain(normal)


def find_contact(text: str) -> str | None:
    """The first piece of contact bait (QR code, messenger, handle, phone number) in ``text``, or None."""
    match = _CONTACT.search(_normalise(text))
    return match.group(0) if match else None
