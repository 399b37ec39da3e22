"""Pure page parsers: ``(body, url) -> ArticleItem | list[str]``, no networking, no Scrapy."""

from __future__ import annotations


class ParseError(Exception):
    """The page is not a parseable article; ``reason`` is a short stats key."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class PageBlocked(ParseError):
    """An anti-bot, verification or captcha page stood where the article should be."""


class ArticleGone(ParseError):
    """The article was deleted or withdrawn by its publisher."""
