"""The sources file of user RSS/Atom feeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.spiders.rss import RssSpider
from crawler.userfeeds import FeedSource, SourcesFileError, load_feeds, sources_file_path
from tests.saved_pages import REPO

FIXTURE = REPO / "tests" / "fixtures" / "sources.toml"


def test_fixture_sources_file() -> None:
    feeds = load_feeds(FIXTURE)
    assert [f.id for f in feeds] == ["ai-insight", "llmnotes", "solidot"]
    assert feeds[0] == FeedSource("ai-insight", "智见AI", "https://www.ai-insight.cn/feed.xml", True, 10)
    assert feeds[1].enabled and feeds[1].max_items == 30
    assert not feeds[2].enabled


def test_default_path_is_in_the_data_dir(tmp_path: Path) -> None:
    assert sources_file_path("", tmp_path) == tmp_path / "sources.toml"
    assert sources_file_path(str(FIXTURE), tmp_path) == FIXTURE
    assert load_feeds(tmp_path / "sources.toml") == []  # no file: no user feeds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[feed]]\nid = "Bad Id"\nurl = "https://x.cn/feed"', "id must be"),
        ('[[feed]]\nid = "ithome"\nurl = "https://x.cn/feed"', "built-in"),
        ('[[feed]]\nid = "x"\nurl = "ftp://x.cn/feed"', "http(s)"),
        ('[[feed]]\nid = "x"\nurl = "https://x.cn/feed"\nmax_items = 0', "max_items"),
        ('[[feed]]\nid = "x"\nurl = "https://x.cn/feed"\nenabeld = false', "unknown keys enabeld"),
        ('[[feed]]\nid = "x"\nurl = "https://x.cn/a"\n[[feed]]\nid = "x"\nurl = "https://x.cn/b"', "listed twice"),
        ("[[feed]\n", "sources.toml"),
    ],
)
def test_invalid_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_feeds(path)


def test_rss_spider_settings_carry_the_feeds_and_their_names() -> None:
    settings = Settings({"AIDAILY_SOURCES_FILE": str(FIXTURE), "SOURCE_NAMES": {"other": "Other"}})
    RssSpider.update_settings(settings)
    assert settings.getdict("SOURCE_NAMES") == {
        "other": "Other",
        "ai-insight": "智见AI",
        "llmnotes": "大模型笔记",
        "solidot": "Solidot",
    }
    assert [f["id"] for f in settings.getlist("RSS_FEEDS")] == ["ai-insight", "llmnotes", "solidot"]
