import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from crawler.mirror import MirrorServer, mirror_path, mirror_url
from tests.saved_pages import url_of


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
