"""Response checks and the downloader middlewares that act on them: charset, truncation, the server's clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.test import get_crawler

from crawler.dates import SHANGHAI
from crawler.middlewares import CharsetMiddleware, TruncatedResponseMiddleware
from crawler.pages import ithome
from crawler.responses import TRUNCATED_FLAG, corrected_encoding, served_at, truncation
from tests.saved_pages import PROJECT_PAGES, REAL_PAGES, SHARED_PAGES, page_files

GBK_PAGE = PROJECT_PAGES / "www.ithome.com/0/915/418.htm"  # saved as GBK, <meta charset=gb2312>
REAL_PAGE = SHARED_PAGES / "www.ithome.com/0/992/380.htm"  # a real IT之家 capture, UTF-8 as saved


def html(body: bytes, content_type: str = "text/html; charset=utf-8", **kwargs: object) -> HtmlResponse:
    headers = {"Content-Type": content_type, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
    return HtmlResponse(url="https://www.ithome.com/0/1/1.htm", body=body, headers=headers, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Tue, 20 Jan 2026 07:00:00 GMT", datetime(2026, 1, 20, 15, 0, tzinfo=SHANGHAI)),
        ("Sat, 01 Jan 2100 00:00:00 GMT", None),  # a server clock far ahead
        ("Thu, 01 Jan 1970 00:00:00 GMT", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_served_at_reads_a_plausible_date_header(date: str | None, expected: datetime | None) -> None:
    headers = {"Date": date} if date else {}
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert served_at(Response("https://x.cn/", headers=headers), now=now) == expected


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"<html><body><p>whole</p></body></html>", "text/html", None),
        (b"<html><body><p>whole</p></body></html><script>late()</script>", "text/html", None),
        (b"<!doctype html><html><head></head><body><div id='paragraph'><p>cut mid-", "text/html", "unclosed_html"),
        (b"<p>a fragment, no document</p>", "text/html", None),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>x', "application/rss+xml", "unclosed_feed"),
        (b'{"title": "x", "content": "<p>cut', "application/json", "cut_json"),
        (b'{"articles": [{"slug": "a"}, ', "application/json", "cut_json"),
        (b'{"title": "x"} trailing', "application/json", None),  # malformed, not cut: the parser's concern
        (b'{"title": "x"}', "application/json", None),
    ],
)
def test_truncation(body: bytes, content_type: str, reason: str | None) -> None:
    response = TextResponse("https://x.cn/a", body=body, headers={"Content-Type": content_type})
    assert truncation(response) == reason


def test_dataloss_flag_is_truncation() -> None:
    response = html(b"<html><body></body></html>", flags=["dataloss"])
    assert truncation(response) == "dataloss"


def test_an_error_page_is_not_judged() -> None:
    assert truncation(html(b"<html><body><h1>502 Bad Gateway", status=502)) is None


def test_a_gbk_page_served_as_utf8_is_read_from_its_meta_charset() -> None:
    response = html(GBK_PAGE.read_bytes())
    assert "\ufffd" in response.text  # what Scrapy alone makes of it
    assert corrected_encoding(response) == ("gb18030", "meta charset")
    crawler = get_crawler()
    crawler.stats.open_spider()
    fixed = CharsetMiddleware.from_crawler(crawler).process_response(Request(response.url), response)
    assert "\ufffd" not in fixed.text
    item = ithome.parse_article(fixed.text, fixed.url)
    assert item.title == "通义千问 App 上线 AI 眼镜联动功能，可实时识物翻译"
    assert crawler.stats.get_value("aidaily/encoding/corrected") == 1


@pytest.mark.skipif(not REAL_PAGE.is_file(), reason="../shared (real captured pages) is absent")
def test_a_real_page_in_gbk_whose_header_and_meta_both_say_utf8_is_detected() -> None:
    text = REAL_PAGE.read_text(encoding="utf-8")
    assert '<meta charset="utf-8" />' in text  # the page itself lies too once re-encoded
    response = html(text.encode("gbk"))
    assert corrected_encoding(response) == ("gb18030", "detected")
    fixed = response.replace(encoding="gb18030")
    assert ithome.parse_article(fixed.text, fixed.url).title.startswith("阿里 CEO 吴泳铭")


def test_a_utf8_page_with_one_stray_byte_stays_utf8() -> None:
    body = GBK_PAGE.read_bytes().decode("gbk").replace("gb2312", "utf-8").encode("utf-8")
    cut = body.index("阿里巴巴".encode())
    response = html(body[:cut] + b"\xff" + body[cut:])
    assert corrected_encoding(response) is None
    crawler = get_crawler()
    crawler.stats.open_spider()
    kept = CharsetMiddleware.from_crawler(crawler).process_response(Request(response.url), response)
    assert kept is response and crawler.stats.get_value("aidaily/encoding/undecodable") == 1


def truncation_middleware(retry_times: int, enabled: bool = True) -> tuple[TruncatedResponseMiddleware, object]:
    crawler = get_crawler(Spider, settings_dict={"RETRY_TIMES": retry_times, "RETRY_ENABLED": enabled})
    crawler.spider = Spider.from_crawler(crawler, name="t")
    crawler.stats.open_spider()
    return TruncatedResponseMiddleware.from_crawler(crawler), crawler.stats


def test_a_cut_page_is_retried_then_flagged() -> None:
    middleware, stats = truncation_middleware(retry_times=1)
    request = Request("https://www.ithome.com/0/1/1.htm")
    cut = html(b"<html><body><div id='paragraph'><p>cut", request=request)
    retry = middleware.process_response(request, cut)
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    again = middleware.process_response(retry, cut.replace(request=retry))
    assert isinstance(again, Response) and TRUNCATED_FLAG in again.flags
    assert stats.get_value("aidaily/response/truncated/unclosed_html") == 2  # type: ignore[attr-defined]
    assert stats.get_value("retry/reason_count/truncated_unclosed_html") == 1  # type: ignore[attr-defined]


def test_with_retries_off_a_cut_page_is_flagged_at_once() -> None:
    middleware, _ = truncation_middleware(retry_times=3, enabled=False)
    request = Request("https://www.ithome.com/0/1/1.htm")
    flagged = middleware.process_response(request, html(b"<html><body><p>cut", request=request))
    assert isinstance(flagged, Response) and TRUNCATED_FLAG in flagged.flags


def test_a_whole_page_passes_untouched() -> None:
    middleware, _ = truncation_middleware(retry_times=1)
    request = Request("https://www.ithome.com/0/1/1.htm")
    whole = html(GBK_PAGE.read_bytes(), "text/html; charset=gbk")
    assert middleware.process_response(request, whole) is whole


def test_fixture_pages_are_all_whole() -> None:
    pages = page_files(PROJECT_PAGES, REAL_PAGES)
    assert len(pages) > 40
    for path in pages:
        kind = "application/json" if path.read_bytes().lstrip()[:1] in (b"{", b"[") else "text/html"
        assert (
            truncation(TextResponse("https://x.cn/", body=path.read_bytes(), headers={"Content-Type": kind})) is None
        ), path


def test_shared_pages_are_all_whole() -> None:
    if not SHARED_PAGES.is_dir():
        pytest.skip("../shared (real captured pages) is absent")
    for path in Path(SHARED_PAGES).rglob("*"):
        if path.is_file() and path.suffix != ".md":
            response = TextResponse("https://x.cn/", body=path.read_bytes(), headers={"Content-Type": "text/html"})
            assert truncation(response) is None, path
