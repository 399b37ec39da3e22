"""开源中国 (www.oschina.net) news: the news list page and news articles."""

from __future__ import annotations

import copy
import re
from urllib.parse import urljoin

from parsel import Selector

from crawler.items import ArticleItem
from crawler.pages import ParseError
from crawler.text import clean_line, html_to_text

SOURCE = "oschina"
# News articles only: /news/391234 or /news/391234/some-slug. The list also links blog posts
# (my.oschina.net), Gitee projects and promotions, which are not news.
_ARTICLE_URL = re.compile(r"^https://www\.oschina\.net/news/\d+(/[\w.-]+)?/?$")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}(:\d{2})?")
# Paragraphs the site appends to every news text.
_NOTICES = ("本站新闻禁止未经授权转载", "转载请注明出处：开源中国")
_JUNK = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' ad-wrap ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' copyright-box ')]"
)


def parse_list(text: str, url: str) -> list[str]:
    """News article links of a list page, each once, in page order (pinned items first)."""
    sel = Selector(text=text)
    hrefs = sel.css(".news-item h3 a::attr(href)").getall()
    links = (urljoin(url, href.strip()).split("#", 1)[0] for href in hrefs)
    return list(dict.fromkeys(link for link in links if _ARTICLE_URL.match(link)))


def parse_article(text: str, url: str) -> ArticleItem:
    """A news article page."""
    sel = Selector(text=text)
    title = clean_line(" ".join(sel.css("h1.article-box__title ::text").getall())) or clean_line(
        sel.css('meta[property="og:title"]::attr(content)').get(default="")
    )
    if not title:
        raise ParseError("no_title", url)
    content = sel.css(".article-detail .content") or sel.css(".article-detail")
    if not content:
        raise ParseError("no_body", url)
    root = copy.deepcopy(content[0].root)
    for junk in root.xpath(_JUNK):
        junk.drop_tree()
    lines = [line for line in html_to_text(root).split("\n") if not line.startswith(_NOTICES)]
    body = "\n".join(lines)
    if not body:
        raise ParseError("no_body", url)
    meta_items = [
        clean_line(" ".join(i.css("::text").getall())) for i in sel.css(".article-box__meta .item-list .item")
    ]
    published = next((m.group() for item in meta_items if (m := _DATE.search(item))), None)
    author_link = sel.css(".article-box__meta .item-list .item a")[:1]
    author = clean_line(" ".join(author_link.css("::text").getall()))
    images = [
        urljoin(url, src.strip())
        for img in root.iter("img")
        if (src := img.get("data-src") or img.get("src") or "").strip() and not src.startswith("data:")
    ]
    return ArticleItem(
        url=url,
        source=SOURCE,
        title=title,
        body=body,
        published_at=published,
        author=author or None,
        images=images,
        tags=sel.css(".tags-box a.tag-item::text").getall(),
    )
