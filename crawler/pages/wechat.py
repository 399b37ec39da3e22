"""WeChat official-account articles (mp.weixin.qq.com) and the RSS feeds that list them."""

from __future__ import annotations

import copy
import re

from parsel import Selector

from crawler.items import ArticleItem
from crawler.pages import ArticleGone, PageBlocked, ParseError
from crawler.pages.feed import feed_links
from crawler.text import clean_line, html_to_text

# Text WeChat shows instead of an article when it wants a captcha solved. The validate
# pipeline checks stored bodies for these too, so they name only the verification page.
VERIFICATION_MARKERS: tuple[str, ...] = (
    "当前环境异常，完成验证后即可继续访问",
    "完成验证后即可继续访问",
    "wappoc_appmsgcaptcha",
)
# Text of the message page that replaces a deleted or banned article.
GONE_MARKERS: tuple[str, ...] = (
    "该内容已被发布者删除",
    "此内容因违规无法查看",
    "此内容被投诉且经审核涉嫌侵权，无法查看",
)

ARTICLE_HOST = "mp.weixin.qq.com"
# The publish time is only in a script: ``var ct = "1768890720";`` (older pages: create_time).
_CT = re.compile(r"""\bvar\s+ct\s*=\s*["'](\d{10})["']""")
_CREATE_TIME = re.compile(r"""\bcreate_time\s*[:=]\s*(?:JsDecode\()?\s*["']?(\d{10})\b""")
# Embedded cards (the account's own profile, mini-programs, votes) are widgets, not text.
_WIDGETS = (
    "//mp-common-profile | //mpprofile | //mp-miniprogram | //mpvote | //mp-common-videosnap"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' js_uneditable ')]"
)


def is_verification_page(text: str) -> bool:
    """Whether ``text`` (a page or a stored body) is WeChat's environment-verification page."""
    return any(marker in text for marker in VERIFICATION_MARKERS)


def is_gone_page(text: str) -> bool:
    """Whether ``text`` is WeChat's notice that an article was deleted or banned."""
    return any(marker in text for marker in GONE_MARKERS)


def parse_list(text: str, url: str) -> list[str]:
    """Article links of an RSS or Atom feed of a WeChat account, canonical, in feed order."""
    return feed_links(text, url, _is_article_url)


def parse_article(text: str, url: str, source: str = "aiera") -> ArticleItem:
    """The article of an mp.weixin.qq.com page; raise PageBlocked / ArticleGone for the notice pages."""
    sel = Selector(text=text)
    content = sel.css("#js_content")
    if not content:
        # Only a page without article content is checked, so an article quoting a marker passes.
        if is_verification_page(text):
            raise PageBlocked("wechat_verify", url)
        if is_gone_page(text):
            raise ArticleGone("wechat_deleted", url)
        raise ParseError("no_body", url)
    # #js_content is hidden (visibility: hidden) until the page's JS runs; its markup is complete.
    root = copy.deepcopy(content[0].root)
    root.attrib.pop("style", None)  # shown, as the script shows it; hidden parts inside stay hidden
    for widget in root.xpath(_WIDGETS):
        widget.drop_tree()
    body = html_to_text(root)
    if not body:
        raise ParseError("no_body", url)
    title = clean_line(" ".join(sel.css("#activity-name ::text").getall())) or clean_line(
        sel.css('meta[property="og:title"]::attr(content)').get(default="")
    )
    if not title:
        raise ParseError("no_title", url)
    author = clean_line(" ".join(sel.css("#js_name ::text").getall())) or clean_line(
        sel.css('meta[name="author"]::attr(content)').get(default="")
    )
    # Images are lazy: the real address is in data-src, src is a placeholder until scrolled to.
    images = [
        src
        for img in root.iter("img")
        if (src := (img.get("data-src") or img.get("src") or "").strip()).startswith("http")
    ]
    return ArticleItem(
        url=url,
        source=source,
        title=title,
        body=body,
        published_at=_published(sel, text),
        author=author or None,
        summary=sel.css('meta[property="og:description"]::attr(content)').get(default="").strip() or None,
        images=images,
    )


def _published(sel: Selector, text: str) -> str | None:
    for pattern in (_CT, _CREATE_TIME):
        if m := pattern.search(text):
            return m.group(1)
    shown = clean_line(sel.css("#publish_time::text").get(default=""))
    return shown or None


def _is_article_url(link: str) -> bool:
    return bool(re.match(rf"https?://{re.escape(ARTICLE_HOST)}/s(/|\?)", link))
