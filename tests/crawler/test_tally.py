"""Where every article link ends: the tally's parts sum to what was found, and each path lands in one counter."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler.crawlsummary import spider_line, spider_tally
from crawler.health import source_figures
from crawler.tally import ReplayTally, Tally, lost_key, merged_lost, summed, tally, tally_text
from tests.crawler.demo_spider import spider
from tests.saved_pages import PROJECT_PAGES

FEED = (PROJECT_PAGES / "www.ithome.com/rss/index.html").read_text(encoding="utf-8")
FEED_URL = "https://www.ithome.com/rss/"


def failure_of(exc: Exception, request: Request) -> Failure:
    failure = Failure(exc)
    failure.request = request  # type: ignore[attr-defined]  # as Scrapy attaches it for an errback
    return failure


@pytest.mark.parametrize(
    "counts",
    [
        Tally(found=15, new=9, updated=1, unchanged=1, known=2, dropped={"deleted": 1, "http_404": 1}),
        Tally(found=4, spooled=3, unkept=1),
        Tally(found=0),
    ],
)
def test_the_parts_sum_to_what_was_found(counts: Tally) -> None:
    assert sum(counts.parts.values()) == counts.found and counts.unaccounted == 0
    assert "unaccounted" not in tally_text(counts)


def test_the_line_shows_every_non_zero_counter_and_the_drop_reasons() -> None:
    counts = tally(
        {"found": 16, "inserted": 9, "unchanged": 1, "not_modified": 1, "known": 2, "spooled": 1},
        {"deleted": 1, "http_404": 1},
    )
    assert counts.unchanged == 2  # a 304 Not Modified is an unchanged article
    assert tally_text(counts, ["api_fallback 2"]) == (
        "found 16, new 9, updated 0, unchanged 2, already stored 2, dropped 2 (deleted 1, http_404 1), spooled 1"
        "; api_fallback 2"
    )
    assert tally_text(Tally(found=3, new=3)) == "found 3, new 3, updated 0, unchanged 0"


def test_links_no_counter_holds_are_shown_not_hidden() -> None:
    counts = tally({"found": 10, "inserted": 6}, {"deleted": 1})
    assert counts.unaccounted == 3
    assert tally_text(counts) == "found 10, new 6, updated 0, unchanged 0, dropped 1 (deleted 1), unaccounted 3"


def test_two_spiders_of_one_source_sum() -> None:
    one = Tally(found=6, new=4, dropped={"deleted": 1}, unchanged=1)
    two = Tally(found=5, known=4, dropped={"deleted": 1})
    both = summed([one, two])
    assert (both.found, both.new, both.known, both.dropped, both.unaccounted) == (11, 4, 4, {"deleted": 2}, 0)
    stats = [{lost_key("36kr", "deleted"): 1}, {lost_key("36kr", "deleted"): 1, lost_key("36kr", "http_404"): 2}]
    assert merged_lost(stats) == {"36kr": {"deleted": 2, "http_404": 2}}


def test_a_link_listed_twice_is_found_and_followed_once() -> None:
    s = spider()
    feed = HtmlResponse(FEED_URL, body=FEED.encode(), headers={"Content-Type": "text/xml; charset=utf-8"})
    first = list(s.parse(feed))
    again = list(s.parse(feed))  # the same articles on a second list (the channel page beside the feed)
    assert len(first) == FEED.count("<item>") and again == []
    stats = s.crawler.stats
    assert stats.get_value("aidaily/source/ithome/found") == len(first)
    assert stats.get_value("aidaily/source/ithome/relisted") == len(first)


def test_every_way_a_request_ends_outside_a_callback_is_counted_once() -> None:
    s = spider()
    page = Request("https://www.ithome.com/0/915/391.htm", callback=s.parse_article, errback=s.article_failed)
    not_found = HtmlResponse(page.url, status=404, request=page)
    not_modified = HtmlResponse(page.url, status=304, request=page)
    s.article_failed(failure_of(HttpError(not_found), page))
    s.article_failed(failure_of(HttpError(not_modified), page))
    s.article_failed(failure_of(DNSLookupError("no such host"), page))
    s.request_dropped(page)  # a redirect onto a page already fetched: the scheduler's dupe filter
    s.request_dropped(Request(FEED_URL, callback=s.parse))  # a list, no article link: not counted
    s.callback_failed(Failure(KeyError("x")), HtmlResponse(page.url, request=page))
    s.item_failed({"content_hash": "h", "source": "ithome"}, Failure(RuntimeError("bug")))
    s.item_failed({"rank": 1}, Failure(RuntimeError("a leaderboard row")))
    stats: dict[str, Any] = s.crawler.stats.get_stats()
    lost = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("aidaily/lost/ithome/")}
    assert lost == {"http_404": 1, "dns": 1, "duplicate": 1, "error": 2}
    assert source_figures(stats)["ithome"]["not_modified"] == 1


def test_a_spider_line_adds_up_from_its_stats() -> None:
    stats = {
        "aidaily/source/ithome/found": 9,
        "aidaily/source/ithome/inserted": 2,
        "aidaily/source/ithome/unchanged": 1,
        "aidaily/source/ithome/known": 3,
        "aidaily/source/ithome/skipped": 1,
        "aidaily/source/ithome/api_fallback": 1,
        lost_key("ithome", "deleted"): 1,
        lost_key("ithome", "http_404"): 1,
        "aidaily/source/ithome/spooled": 1,
    }
    counts, notes = spider_tally(stats)
    assert counts.unaccounted == 0 and notes == {"api_fallback": 1}
    assert spider_line("ithome", stats) == (
        "ithome: found 9, new 2, updated 0, unchanged 1, already stored 3, dropped 2 (deleted 1, http_404 1), "
        "spooled 1; api_fallback 1"
    )


def test_a_replay_names_every_spool_line() -> None:
    replay = ReplayTally()
    replay.add({"a": "inserted", "b": "inserted", "c": "unchanged"}, docs=5)  # a and b were spooled twice more
    replay.quarantined = 1
    assert replay.lines == 6
    assert replay.text() == "replayed 6 spool lines: new 2, updated 0, unchanged 1, duplicate 2, quarantined 1"
