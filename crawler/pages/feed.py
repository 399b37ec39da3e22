"""Feeds (RSS 2.0, Atom 1.0, RSS 1.0/RDF): the items a user feed lists, as a pure parser."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from parsel import Selector

from crawler.pages import ParseError
from crawler.text import clean_line, html_to_text
from crawler.urls import canonicalize_url

_FORMATS = {"rss": "rss", "feed": "atom", "RDF": "rdf"}


@dataclass(frozen=True)
class FeedEntry:
    """One feed item: the article link and what the feed itself says about it."""

    url: str
    title: str
    published: str | None = None  # ISO 8601 when the feed's date could be read, else the raw text
    author: str | None = None
    summary: str | None = None


def parse_entries(text: str, url: str) -> list[FeedEntry]:
    """The items of an RSS 2.0, Atom or RDF feed, in feed order, each link once."""
    sel = Selector(text=text.lstrip("\ufeff \r\n\t"), type="xml")
    sel.remove_namespaces()  # RSS 1.0 and Atom put every element in a namespace; names are unambiguous
    root = sel.xpath("/*")
    kind = _FORMATS.get(root.xpath("local-name()").get(default=""))
    if kind is None or (kind == "rss" and not root.xpath("./channel")):
        raise ParseError("not_a_feed", url)
    nodes = root.xpath("./entry" if kind == "atom" else ".//item")
    entries: dict[str, FeedEntry] = {}
    for node in nodes:
        entry = _atom_entry(node, url) if kind == "atom" else _rss_entry(node, url)
        if entry is not None:
            entries.setdefault(entry.url, entry)
    return list(entries.values())


class FeedLinks(list[str]):
    """Article links of a feed, plus what the spider counts: how many items it listed, which links it rejected."""

    def __init__(self, links: Iterable[str], *, listed: int, rejected: Iterable[str] = ()) -> None:
        super().__init__(links)
        self.listed = listed
        self.rejected = list(rejected)


def parse_list(text: str, url: str) -> FeedLinks:
    """Article links of a feed, each once, in feed order."""
    entries = parse_entries(text, url)
    return FeedLinks((entry.url for entry in entries), listed=len(entries))


def feed_links(text: str, url: str, keep: Callable[[str], bool]) -> FeedLinks:
    """Canonical links of a feed's items that ``keep`` accepts (a site's own article URLs), each once.

    The links ``keep`` refuses are kept aside in ``rejected``: a feed whose every link is refused
    has changed its URLs, which is a parse failure, not an empty day.
    """
    links = list(dict.fromkeys(canonicalize_url(entry.url) for entry in parse_entries(text, url)))
    kept = [link for link in links if keep(link)]
    return FeedLinks(kept, listed=len(links), rejected=[link for link in links if not keep(link)])


def _rss_entry(node: Selector, feed_url: str) -> FeedEntry | None:
    link = _text(node, "./link")
    if not link and node.xpath("./guid[not(@isPermaLink='false')]"):
        link = _text(node, "./guid")  # RSS 2.0: a permalink guid stands in for a missing <link>
    if not link:
        return None
    return FeedEntry(
        url=urljoin(feed_url, link),
        title=_text(node, "./title"),
        published=_date(_text(node, "./pubDate") or _text(node, "./date")),
        author=_text(node, "./creator") or _text(node, "./author") or None,
        summary=_summary(_text(node, "./description"), html=True),  # RSS 2.0: entity-encoded HTML
    )


def _atom_entry(node: Selector, feed_url: str) -> FeedEntry | None:
    link = node.xpath("./link[@rel='alternate' or not(@rel)]/@href").get(default="").strip()
    if not link:
        return None
    return FeedEntry(
        url=urljoin(feed_url, link),
        title=_text(node, "./title"),
        published=_date(_text(node, "./published") or _text(node, "./updated")),
        author=_text(node, "./author/name") or None,
        summary=_summary(_text(node, "./summary"), html=node.xpath("./summary/@type").get() == "html"),
    )


def _text(node: Selector, xpath: str) -> str:
    return clean_line(" ".join(node.xpath(xpath + "//text()").getall()))


def _summary(raw: str, *, html: bool) -> str | None:
    """A feed's summary as plain text; ``html`` when the feed format says it holds markup."""
    text = html_to_text(raw) if html else raw
    return text.replace("\n", " ") or None


def _date(raw: str) -> str | None:
    """RFC 822 dates (RSS) become ISO 8601; ISO dates (Atom, dc:date) pass as they are."""
    if not raw:
        return None
    try:
        return parsedate_to_datetime(raw).isoformat()
    except (TypeError, ValueError):
        return raw  # ISO 8601 or something parse_published may still read
