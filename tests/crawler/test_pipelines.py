"""Pipelines built from settings the way Scrapy builds them, storing into a real server."""

from datetime import datetime
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.dates import SHANGHAI
from crawler.items import ArticleItem
from crawler.normalize import normalize_article
from crawler.pipelines.store import MongoStorePipeline
from crawler.pipelines.validate import ValidatePipeline
from crawler.spool import Spool
from crawler.store import Store
from tests.servers import MongoServerProcess

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


def store_pipeline(uri: str, db_name: str, data_dir: Path, batch: int = 2) -> MongoStorePipeline:
    crawler = get_crawler(
        settings_dict={
            "MONGO_URI": uri,
            "MONGO_DATABASE": db_name,
            "AIDAILY_DATA_DIR": str(data_dir),
            "MONGO_TIMEOUT_MS": 1500,
            "STORE_BATCH_SIZE": batch,
            "STORE_RETRY_AFTER_SECONDS": 0,
        }
    )
    crawler.stats.open_spider()
    return MongoStorePipeline.from_crawler(crawler)


def test_store_pipeline_spools_while_the_server_is_dead_and_replays_after(tmp_path: Path, db_name: str) -> None:
    server = MongoServerProcess(tmp_path / "mongo").start()
    data_dir = tmp_path / "data"
    pipeline = store_pipeline(server.uri, db_name, data_dir)
    pipeline.open_spider()
    for n in (1, 2):
        pipeline.process_item(doc(n))
    server.kill()  # the database dies mid-crawl
    for n in (3, 4, 5):
        pipeline.process_item(doc(n))
    pipeline.close_spider()
    stats = pipeline.stats
    assert stats.get_value("aidaily/store/inserted") == 2
    assert stats.get_value("aidaily/store/spooled") == 3
    assert len(Spool(data_dir / "spool")) == 3

    server.start()  # same data folder: it comes back with what it had
    pipeline = store_pipeline(server.uri, db_name, data_dir)
    pipeline.open_spider()  # the next crawl replays the spool first
    pipeline.close_spider()
    assert pipeline.stats.get_value("aidaily/store/replayed") == 3
    with Store.open(server.uri, db_name=db_name) as store:
        assert sorted(d["url"] for d in store.articles.find()) == [
            f"https://www.ithome.com/0/1/{n}.htm" for n in range(1, 6)
        ]
    assert len(Spool(data_dir / "spool")) == 0
    server.stop()


def test_one_batch_counts_per_source_and_coverage(mongo_uri: str, db_name: str, tmp_path: Path) -> None:
    pipeline = store_pipeline(mongo_uri, db_name, tmp_path / "data", batch=10)
    pipeline.open_spider()
    pipeline.process_item(doc(1))
    pipeline.flush()  # stored before: the same page again is unchanged
    undated = normalize_article(
        ArticleItem(
            url="https://36kr.com/newsflashes/9", source="36kr", title="快讯标题", body="一段快讯正文，足够长。"
        ),
        fetched_at=FETCHED,
    )
    for item in (doc(1), doc(2), undated, undated):
        pipeline.process_item(item)
    pipeline.close_spider()
    value = pipeline.stats.get_value
    assert (value("aidaily/source/ithome/inserted"), value("aidaily/source/ithome/unchanged")) == (2, 1)
    assert value("aidaily/source/36kr/inserted") == 1 and value("aidaily/source/36kr/stored") == 1
    assert value("aidaily/source/36kr/with_published_at") is None and value("aidaily/source/36kr/with_body") == 1
    assert value("aidaily/store/inserted") == 3


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
