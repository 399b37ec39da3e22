"""量子位 (www.qbitai.com): the WordPress RSS feed, the home/category list, and article pages."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.items import ArticleItem
from crawler.pages import ParseError
from crawler.pages.feed import feed_links
from crawler.text import clean_line, html_to_text
from crawler.urls import canonicalize_url

SOURCE = "qbitai"
BASE = "https://www.qbitai.com"
FEED = BASE + "/feed"

_ARTICLE_PATH = re.compile(r"^/\d{4}/\d{2}/\d+\.html$")
_LIST_LINKS = (
    ".swiper-slide > a::attr(href), .pic_box > a::attr(href), .article_list .picture_text .text_box h4 a::attr(href)"
)
# Page chrome that WordPress renders inside the .article region, next to the text.
_CHROME = (
    "h1, .article_info, .zhaiyao, .tags, .person_box, .share, .share_box, .zan_box, .xgwz, .relevant,"
    " .wxgzh, .copyright, .comment, .wx_img, script, style, noscript"
)
# The copyright line (``div.line_font``: 版权所有，未经授权不得以任何形式转载及使用) closes the text.
_END_BLOCK = "line_font"
# "— 完 —" closes every article; after it come the account promo, QR codes and follow prompts.
_END_MARK = re.compile(r"^[—–\-]+\s*完\s*[—–\-]+$")
# The dateline and promo lines 量子位 prints above and below the text.
_BOILERPLATE = re.compile(
    r"(发自\s*凹非寺|^量子位\s*\|\s*公众号\s*QbitAI$|量子位\s*QbitAI\s*·\s*头条号签约"
    r"|^关注我们，第一时间获知前沿科技动态|^一键关注.*点亮星标|^点亮星标)"
)


def is_article_url(url: str) -> bool:
    """Whether ``url`` is a 量子位 article (``/2026/01/391204.html``)."""
    parts = urlsplit(url)
    return parts.netloc.endswith("qbitai.com") and bool(_ARTICLE_PATH.match(parts.path))


def parse_list(text: str, url: str) -> list[str]:
    """Article URLs of the RSS feed or of a home/category list page, each once, in order."""
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("<?xml") or "<rss" in body[:500]:
        return feed_links(body, url, is_article_url)
    # The featured carousel and picture box above the list link articles the list itself leaves out.
    hrefs = Selector(text=text).css(_LIST_LINKS).getall()
    links = (canonicalize_url(urljoin(url, h)) for h in hrefs)
    return list(dict.fromkeys(link for link in links if is_article_url(link)))


def parse_article(text: str, url: str) -> ArticleItem:
    """The article of a 量子位 article page."""
    sel = Selector(text=text)
    region = sel.css(".article_con") or sel.css(".article")
    if not region:
        raise ParseError("no_body", "no .article region")
    article = region[0]
    title = clean_line(
        " ".join(sel.css(".article h1 ::text").getall())
        or sel.css('meta[property="og:title"]::attr(content)').get(default="")
    )
    if not title:
        raise ParseError("no_title")
    info = sel.css(".article_info")
    author = clean_line(" ".join(info.css(".author ::text").getall()))
    day = clean_line(info.css(".date::text").get(default=""))
    clock = clean_line(info.css(".time::text").get(default=""))
    published = f"{day} {clock}".strip() or sel.css('meta[property="article:published_time"]::attr(content)').get()
    # The summary box (div.zhaiyao) leads the text; the page has no description meta of its own.
    summary = clean_line(" ".join(article.css(".zhaiyao ::text").getall())) or clean_line(
        sel.css('meta[name="description"]::attr(content)').get(default="")
        or sel.css('meta[property="og:description"]::attr(content)').get(default="")
    )
    # Tags sit inside .article on some templates, in the div.tags right after it on others.
    tag_links = article.css(".tags a") or sel.xpath(
        "//div[contains(concat(' ', normalize-space(@class), ' '), ' article ')]"
        "/following-sibling::div[contains(concat(' ', normalize-space(@class), ' '), ' tags ')][1]//a"
    )
    tags = [clean_line(" ".join(a.css("::text").getall())) for a in tag_links]
    article.css(_CHROME).drop()
    body, images = _body_and_images(article)
    if not body:
        raise ParseError("no_body")
    return ArticleItem(
        url=url,
        source=SOURCE,
        title=title,
        body=body,
        published_at=published or None,
        author=author or None,
        summary=summary or None,
        images=images,
        tags=[t for t in tags if t],
    )


def _body_and_images(article: Selector) -> tuple[str, list[str]]:
    """Text and images of the article's blocks up to the "— 完 —" line."""
    lines: list[str] = []
    images: list[str] = []
    for block in article.xpath("./*"):
        if _END_BLOCK in block.attrib.get("class", "").split():
            break
        text = html_to_text(block.root)
        if _END_MARK.match(text):
            break
        lines.extend(line for line in text.split("\n") if not _BOILERPLATE.search(line))
        for img in [block] if block.root.tag == "img" else block.css("img"):
            # a lazy-load plugin keeps the real address in data-src and a placeholder in src
            src = img.attrib.get("data-src") or img.attrib.get("data-original") or img.attrib.get("src") or ""
            if src and not src.startswith("data:"):
                images.append(urljoin(BASE, src))
    return "\n".join(lines), images
