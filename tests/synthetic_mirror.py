"""A larger mirror than the saved pages: IT之家's real feed and article markup, many articles.

Tests of distributed and incremental crawls, and the crawl speed bench, need more articles than
the fixture set holds. Each generated article is the saved page ``0/915/391.htm`` with its own
title and an extra paragraph, so the real parser runs on real markup and every body differs.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.sax.saxutils import escape

from tests.saved_pages import PROJECT_PAGES

TEMPLATE = PROJECT_PAGES / "www.ithome.com" / "0" / "915" / "391.htm"
FEED = PROJECT_PAGES / "www.ithome.com" / "rss" / "index.html"
TITLE = "微软 Copilot 推出“深度思考”模式：免费用户每天可用 10 次"
TOPICS = ("大模型推理", "智能体平台", "端侧 AI 芯片", "多模态检索", "开源权重", "算力调度")


def article_url(number: int) -> str:
    return f"https://www.ithome.com/0/{920 + number // 1000}/{number % 1000:03d}.htm"


def build_ithome_mirror(root: Path, count: int) -> list[str]:
    """Write an IT之家 mirror with ``count`` articles under ``root``; return their canonical URLs."""
    template = TEMPLATE.read_text(encoding="utf-8")
    urls = [article_url(n) for n in range(count)]
    items = []
    for number, url in enumerate(urls):
        topic = TOPICS[number % len(TOPICS)]
        title = f"{topic}进展第 {number} 期：{TITLE}"
        extra = (
            f"<p>据 IT之家第 {number} 期追踪，{topic}相关产品本周迎来更新，"
            f"厂商表示新版本在推理速度上提升约 {number % 40 + 10}%，并计划于下月开放 API。</p>\n"
        )
        page = template.replace(TITLE, title).replace("https://www.ithome.com/0/915/391.htm", url)
        page = page.replace(
            '<div class="post_content" id="paragraph">\n', '<div class="post_content" id="paragraph">\n' + extra, 1
        )
        target = root / "www.ithome.com" / url.split("www.ithome.com/", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
        items.append(
            f"<item><title>{escape(title)}</title><link>{url}</link><guid>{url}</guid>"
            f"<pubDate>Tue, 20 Jan 2026 05:32:05 GMT</pubDate></item>"
        )
    feed_head = FEED.read_text(encoding="utf-8").split("<item>", 1)[0]
    feed_dir = root / "www.ithome.com" / "rss"
    feed_dir.mkdir(parents=True, exist_ok=True)
    (feed_dir / "index.html").write_text(feed_head + "\n".join(items) + "\n</channel>\n</rss>\n", encoding="utf-8")
    shutil.copy(FEED.with_name("index.html.meta.json"), feed_dir / "index.html.meta.json")
    return urls
