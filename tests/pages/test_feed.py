"""The feed parser on RSS 2.0, Atom and RSS 1.0 (RDF) feeds."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawler.dates import SHANGHAI, parse_published
from crawler.pages import ParseError
from crawler.pages.feed import parse_entries, parse_list
from tests.saved_pages import PROJECT_PAGES

NOW = datetime(2026, 1, 20, 15, 0, tzinfo=SHANGHAI)

RDF = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://www.solidot.org/"><title>Solidot</title><link>https://www.solidot.org/</link></channel>
  <item rdf:about="https://www.solidot.org/story?sid=80123">
    <title>研究人员发布开源语音模型</title>
    <link>https://www.solidot.org/story?sid=80123</link>
    <description>&lt;p&gt;一个研究团队发布了开源语音识别模型。&lt;/p&gt;</description>
    <dc:creator>WinterIsComing</dc:creator>
    <dc:date>2026-01-20T09:05:00+08:00</dc:date>
  </item>
</rdf:RDF>"""


def test_rss2_items_in_feed_order_each_link_once_with_dates_as_iso() -> None:
    text = (PROJECT_PAGES / "www.ai-insight.cn" / "feed.xml").read_text(encoding="utf-8")
    entries = parse_entries(text, "https://www.ai-insight.cn/feed.xml")
    assert [e.url for e in entries] == [
        "https://www.ai-insight.cn/2026/01/deepseek-open-source-reasoning-model/",
        "https://www.ai-insight.cn/notes/kimi-agent-api.html",  # relative <link> resolved against the feed
    ]
    first, second = entries
    assert first.title == "DeepSeek开源新一代推理模型，数学与代码能力逼近闭源旗舰"  # first occurrence wins
    assert first.author == "林晓舟"
    assert str(parse_published(first.published, now=NOW)) == "2026-01-20 10:15:09+08:00"
    assert str(parse_published(second.published, now=NOW)) == "2026-01-19 22:05:00+08:00"
    assert first.summary == "深度求索开源新一代推理模型，数学与代码评测成绩逼近闭源旗舰。"


def test_atom_entries_use_the_alternate_link_and_published_date() -> None:
    text = (PROJECT_PAGES / "blog.llmnotes.cn" / "atom.xml").read_text(encoding="utf-8")
    [entry] = parse_entries(text, "https://blog.llmnotes.cn/atom.xml")
    assert entry.url == "https://blog.llmnotes.cn/posts/qwen3-moe-on-4090/"
    assert entry.published == "2026-01-18T20:30:00+08:00"  # <published>, not the later <updated>
    assert entry.title.startswith("在两张4090上跑Qwen3-30B-A3B")


def test_rdf_feed() -> None:
    [entry] = parse_entries(RDF, "https://www.solidot.org/index.rss")
    assert entry.url == "https://www.solidot.org/story?sid=80123"
    assert entry.author == "WinterIsComing"
    assert entry.published == "2026-01-20T09:05:00+08:00"
    assert entry.summary == "一个研究团队发布了开源语音识别模型。"
    assert parse_list(RDF, "https://www.solidot.org/index.rss") == ["https://www.solidot.org/story?sid=80123"]


def test_rss_item_without_link_uses_a_permalink_guid_and_skips_the_rest() -> None:
    feed = """<rss version="2.0"><channel><title>t</title>
      <item><title>a</title><guid>https://example.cn/a.html</guid></item>
      <item><title>b</title><guid isPermaLink="false">tag:example.cn,2026:b</guid></item>
    </channel></rss>"""
    assert parse_list(feed, "https://example.cn/feed") == ["https://example.cn/a.html"]


@pytest.mark.parametrize("text", ["<html><body><p>not a feed</p></body></html>", '{"items": []}', ""])
def test_a_page_that_is_not_a_feed_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_entries(text, "https://example.cn/feed")
    assert err.value.reason == "not_a_feed"
