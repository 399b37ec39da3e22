"""A crawl bench mirror of real pages: each source's real captured article page under many URLs, real feeds.

Article pages are the real captures of ``../shared/fixtures/pages`` (IT之家 21.8 KB, 36氪 82.5 KB, 量子位
12.3 KB, a WeChat article of 新智元's kind 2.1 MB, as the browser saved it) and, for 机器之心 (no real
capture exists), the project's own detail-API fixture; each copy gets its own URL and a numbered title, so
the site parsers run on real markup of real size. Feeds are each source's feed with one ``<item>`` per
copy. The mix follows a day's volume per source: mostly IT之家 and 36氪, few WeChat articles.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from crawler.mirror import mirror_path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "fixtures" / "pages"
OWN = ROOT / "tests" / "fixtures" / "pages"
RSS_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{name}</title><link>{link}</link>\n'
)
RSS_META = {"status": 200, "headers": {"Content-Type": "application/xml; charset=utf-8"}}


@dataclass(frozen=True)
class Source:
    """One spider's part of the mirror: its article template, the URL of copy n, its feed, its share."""

    spider: str
    page: Path
    title: str
    url: Callable[[int], str]
    feed_url: str
    share: float
    file_url: Callable[[int], str] | None = None  # where copy n is served, when not at its article URL


SOURCES = (
    Source(
        "ithome",
        REAL / "www.ithome.com/0/992/380.htm",
        "阿里 CEO 吴泳铭：平头哥二代芯片预计今年下半年流片、产出",
        lambda n: f"https://www.ithome.com/0/{950 + n // 1000}/{n % 1000:03d}.htm",
        "https://www.ithome.com/rss/",
        0.42,
    ),
    Source(
        "36kr",
        REAL / "36kr.com/p/3919391204415360",
        "世界模型走向生命科学：AI开始预演生命的未来",
        lambda n: f"https://36kr.com/p/{3919391204500000 + n}",
        "https://36kr.com/feed",
        0.36,
    ),
    Source(
        "qbitai",
        REAL / "www.qbitai.com/2026/07/464169.html",
        "米哈游蔡浩宇AI创业生变",
        lambda n: f"https://www.qbitai.com/2026/07/{470000 + n}.html",
        "https://www.qbitai.com/feed",
        0.12,
    ),
    Source(
        "jiqizhixin",
        OWN / "www.jiqizhixin.com/api/article_library/articles/2026-01-20-3.json",
        "",
        lambda n: f"https://www.jiqizhixin.com/articles/2026-02-01-{n}",
        "https://www.jiqizhixin.com/rss",
        0.07,
        lambda n: f"https://www.jiqizhixin.com/api/article_library/articles/2026-02-01-{n}.json",
    ),
    Source(
        "aiera",
        REAL / "mp.weixin.qq.com/s/ZhDXTjv5ciEGOZirqQ6BJA",
        "高校计科系惊现求职新风口：不卷AI卷鸿蒙",
        lambda n: f"https://mp.weixin.qq.com/s/bench{n:06d}",
        "https://wechat2rss.xlab.app/feed/7131b577c61365cb47e81000738c10d872685908.xml",
        0.03,
    ),
)
SPIDERS = tuple(s.spider for s in SOURCES)


def counts(total: int) -> dict[str, int]:
    """Articles per source for ``total`` articles, by share (the rounding goes to the largest)."""
    found = {s.spider: int(total * s.share) for s in SOURCES}
    found[SOURCES[0].spider] += total - sum(found.values())
    return found


def build_mirror(root: Path, total: int) -> dict[str, int]:
    """Write the mirror for ``total`` articles under ``root``; returns articles per spider."""
    missing = [str(s.page) for s in SOURCES if not s.page.is_file()]
    if missing:
        raise FileNotFoundError(f"real pages missing (../shared absent?): {', '.join(missing)}")
    per_spider = counts(total)
    for source in SOURCES:
        template = source.page.read_text(encoding="utf-8")
        items = []
        for n in range(per_spider[source.spider]):
            url = source.url(n)
            title = f"{source.title}（{n}）" if source.title else ""
            page = template.replace(source.title, title) if source.title else template
            _write(root, (source.file_url or source.url)(n), page)
            items.append(f"<item><title>{escape(title or url)}</title><link>{url}</link><guid>{url}</guid></item>")
        feed = RSS_HEAD.format(name=source.spider, link=source.feed_url) + "\n".join(items) + "\n</channel></rss>\n"
        _write(root, source.feed_url, feed, meta=RSS_META)
    # 机器之心's spider also reads the list API: an empty one, so every article comes from the feed
    _write(
        root,
        "https://www.jiqizhixin.com/api/article_library/articles.json?sort=time&page=1&per=12",
        json.dumps({"success": True, "articles": []}),
        meta={"status": 200, "headers": {"Content-Type": "application/json; charset=utf-8"}},
    )
    return per_spider


def _write(root: Path, url: str, text: str, meta: dict[str, object] | None = None) -> None:
    target = root / mirror_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    if meta is not None:
        target.with_name(target.name + ".meta.json").write_text(json.dumps(meta), encoding="utf-8")


def remove(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
