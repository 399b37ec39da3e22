"""Pipelines built from settings the way Scrapy builds them (the store pipeline: test_store_pipeline.py)."""

from datetime import datetime

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.dates import SHANGHAI
from crawler.items import ArticleItem
from crawler.normalize import normalize_article
from crawler.pipelines.validate import ValidatePipeline

FETCHED = datetime(2026, 1, 20, 15, 0, tzinfo=SHANGHAI)


def doc(
    n: int, title: str = "智谱发布新一代模型", body: str = "智谱今天发布了新一代基座模型，在多项评测中领先。"
) -> dict:
    item = ArticleItem(
        url=f"https://www.ithome.com/0/1/{n}.htm",
        source="ithome",
        title=title,
        body=body,
        published_at="2026-01-20 13:32",
    )
    return normalize_article(item, fetched_at=FETCHED)


def validator() -> ValidatePipeline:
    crawler = get_crawler(
        settings_dict={"VALIDATE_BLOCK_MARKERS": ["完成验证后即可继续访问"], "VALIDATE_MIN_BODY_CHARS": 10}
    )
    crawler.stats.open_spider()
    return ValidatePipeline.from_crawler(crawler)


def test_validate_passes_a_real_article() -> None:
    assert validator().process_item(doc(1)) == doc(1)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"title": ""}, "missing_title"),
        ({"body": ""}, "missing_body"),
        ({"body": "短"}, "body_too_short"),
        ({"title": "微信公众平台", "body": "当前环境异常，完成验证后即可继续访问。\n去验证"}, "verification_page"),
    ],
)
def test_validate_drops_with_a_counted_reason(kwargs: dict, reason: str) -> None:
    pipeline = validator()
    with pytest.raises(DropItem, match=reason):
        pipeline.process_item(doc(1, **kwargs))
    assert pipeline.stats.get_value(f"aidaily/dropped/{reason}") == 1


def test_a_long_article_quoting_the_marker_is_not_a_verification_page() -> None:
    body = "有用户反映访问时看到“完成验证后即可继续访问”的提示。" + "这是正文。" * 400
    assert validator().process_item(doc(1, body=body))["body"] == body


def test_an_article_without_a_date_is_stored_counted_per_source_and_flagged() -> None:
    pipeline = validator()
    undated = normalize_article(
        ArticleItem(
            url="https://www.ithome.com/0/1/9.htm",
            source="ithome",
            title="标题",
            body="一段足够长的正文，写满十个字以上。",
        ),
        fetched_at=FETCHED,
    )
    assert pipeline.process_item(undated)["date_flags"] == ["missing_date"]
    assert pipeline.stats.get_value("aidaily/validate/missing_date") == 1
    assert pipeline.stats.get_value("aidaily/source/ithome/missing_date") == 1
