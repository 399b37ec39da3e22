import email.utils
import http.client
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.utils.test import get_crawler

from crawler import settings as project
from crawler.middlewares import MirrorMiddleware
from crawler.mirror import EXPECTED_SUFFIX, META_SUFFIX, MirrorServer, mirror_path, mirror_url
from tests.saved_pages import PROJECT_PAGES, REAL_PAGES, page_files, url_of


@pytest.mark.parametrize(
    ("url", "name", "back"),
    [
        ("https://www.ithome.com/0/915/391.htm", "www.ithome.com/0/915/391.htm", None),
        ("https://36kr.com/", "36kr.com/index.html", None),
        ("https://36kr.com", "36kr.com/index.html", "https://36kr.com/"),
        ("https://www.oschina.net/news/", "www.oschina.net/news/index.html", None),
        ("https://mp.weixin.qq.com/s?__biz=Mz&mid=1", "mp.weixin.qq.com/s%3F__biz=Mz&mid=1", None),
    ],
)
def test_mirror_path_rule_both_ways(url: str, name: str, back: str | None, tmp_path: Path) -> None:
    assert mirror_path(url) == name
    assert url_of(tmp_path, tmp_path / name) == (back or url)


def test_server_serves_files_meta_and_404(tmp_path: Path) -> None:
    page = tmp_path / "example.com" / "a%3Fx=1"
    page.parent.mkdir()
    page.write_bytes("中文".encode("gbk"))
    (tmp_path / "example.com" / "a%3Fx=1.meta.json").write_text(
        json.dumps({"status": 200, "headers": {"Content-Type": "text/html; charset=gbk"}})
    )
    with MirrorServer(tmp_path) as server:
        with urllib.request.urlopen(mirror_url(server.base_url, "https://example.com/a?x=1")) as resp:
            assert resp.headers["Content-Type"] == "text/html; charset=gbk"
            assert resp.read().decode("gbk") == "中文"
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(mirror_url(server.base_url, "https://example.com/missing"))
        assert err.value.code == 404
        # side files are never served as pages
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(server.base_url + "/example.com/a%253Fx=1.meta.json")
        assert server.requests[0] == "example.com/a%3Fx=1"
        assert server.answers == [
            ("example.com/a%3Fx=1", 200),
            ("example.com/missing", 404),
            ("example.com/a%3Fx=1.meta.json", 404),
        ]


def test_names_climbing_out_are_refused_and_links_inside_are_followed(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.json"
    outside.write_text('{"ok": true}')
    root = tmp_path / "mirror"
    (root / "example.com").mkdir(parents=True)
    (root / "example.com" / "data.json").symlink_to("../../elsewhere.json")
    with MirrorServer(root) as server:
        with urllib.request.urlopen(mirror_url(server.base_url, "https://example.com/data.json")) as resp:
            assert json.loads(resp.read()) == {"ok": True}
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(server.base_url + "/example.com/%2E%2E/%2E%2E/elsewhere.json")
        assert err.value.code == 404


def test_the_saved_date_header_is_served_as_saved(tmp_path: Path) -> None:
    (tmp_path / "example.com").mkdir()
    (tmp_path / "example.com" / "a.html").write_text("<html><body>3小时前</body></html>")
    (tmp_path / "example.com" / "a.html.meta.json").write_text(
        json.dumps({"status": 200, "headers": {"Date": "Tue, 20 Jan 2026 07:00:00 GMT"}})
    )
    (tmp_path / "example.com" / "b.html").write_text("<html></html>")
    with MirrorServer(tmp_path) as server:
        with urllib.request.urlopen(mirror_url(server.base_url, "https://example.com/a.html")) as resp:
            assert resp.headers.get_all("Date") == ["Tue, 20 Jan 2026 07:00:00 GMT"]
            assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        with urllib.request.urlopen(mirror_url(server.base_url, "https://example.com/b.html")) as resp:
            assert len(resp.headers.get_all("Date")) == 1  # a page saved without one gets the server's clock


def test_a_saved_content_length_replays_a_download_cut_short(tmp_path: Path) -> None:
    (tmp_path / "example.com").mkdir()
    (tmp_path / "example.com" / "cut.html").write_bytes(b"<html><body><p>first half")
    (tmp_path / "example.com" / "cut.html.meta.json").write_text(json.dumps({"headers": {"Content-Length": "5000"}}))
    with (
        MirrorServer(tmp_path) as server,
        urllib.request.urlopen(mirror_url(server.base_url, "https://example.com/cut.html")) as resp,
    ):
        assert resp.headers.get_all("Content-Length") == ["5000"]  # the saved one only
        with pytest.raises(http.client.IncompleteRead):
            resp.read()


def test_every_fixture_page_carries_the_time_it_was_saved() -> None:
    pages = page_files(PROJECT_PAGES, REAL_PAGES)
    assert len(pages) > 40
    for page in pages:
        meta = json.loads(page.with_name(page.name + META_SUFFIX).read_text(encoding="utf-8"))
        expected = page.with_name(page.name + EXPECTED_SUFFIX)
        real = expected.is_file() and "provenance" in json.loads(expected.read_text(encoding="utf-8"))
        saved = email.utils.parsedate_to_datetime(meta["headers"]["Date"])
        assert real == page.is_relative_to(REAL_PAGES), f"{page}: real captures live in {REAL_PAGES}, apart"
        if real:  # a real capture carries its own capture time (tests/fixtures/README.md)
            assert datetime(2024, 1, 1, tzinfo=UTC) < saved < datetime(2026, 12, 1, tzinfo=UTC), page
        else:  # the hand-built pages were all saved 2026-01-20T15:00+08:00
            assert meta["headers"]["Date"] == "Tue, 20 Jan 2026 07:00:00 GMT", page


@pytest.mark.parametrize("mirror_url_setting", ["", "http://127.0.0.1:1"])
def test_mirror_middleware_is_silent_when_off_and_enabled_when_set(
    mirror_url_setting: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A live crawl (no MIRROR_URL) logs no "Disabled ... MirrorMiddleware" warning per spider."""
    crawler = get_crawler(
        settings_dict={"DOWNLOADER_MIDDLEWARES": project.DOWNLOADER_MIDDLEWARES, "MIRROR_URL": mirror_url_setting}
    )
    with caplog.at_level("INFO"):
        manager = DownloaderMiddlewareManager.from_crawler(crawler)
    enabled = any(isinstance(m, MirrorMiddleware) for m in manager.middlewares)
    assert enabled == bool(mirror_url_setting)
    assert not [r for r in caplog.records if r.levelname == "WARNING"], [r.getMessage() for r in caplog.records]
