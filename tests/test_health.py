"""Per-source health: figures, request outcomes and their flags, the store pipeline's counts, the run record, crawls."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.utils.test import get_crawler
from twisted.internet import error as tx_error
from twisted.web.client import ResponseNeverReceived

from crawler.crawlsummary import crawl_summary
from crawler.dates import SHANGHAI
from crawler.extensions import record_part
from crawler.health import health_flags, loss_reasons, plain_stats, run_part, run_update, source_figures
from crawler.items import ArticleItem
from crawler.normalize import normalize_article
from crawler.outcomes import classify
from crawler.pages import aibase
from crawler.pipelines.store import MongoStorePipeline
from crawler.reachability import Fetch, every_source_unreachable, fetch_figures
from crawler.store import Store
from tests.broken_mirror import copy_mirror, forbid_robots, lose_body, serve_status
from tests.servers import free_port

T0 = datetime(2026, 1, 20, 15, 0, tzinfo=SHANGHAI)
T1 = datetime(2026, 1, 20, 15, 2, tzinfo=SHANGHAI)


def test_source_figures_from_stats() -> None:
    stats = {
        "aidaily/source/ithome/found": 10,
        "aidaily/source/ithome/stored": 8,
        "aidaily/source/ithome/inserted": 5,
        "aidaily/source/ithome/updated": 1,
        "aidaily/source/ithome/unchanged": 2,
        "aidaily/source/ithome/dropped": 1,
        "aidaily/source/ithome/skipped": 1,
        "aidaily/source/ithome/with_title": 8,
        "aidaily/source/ithome/with_body": 8,
        "aidaily/source/ithome/with_published_at": 6,
        "aidaily/source/ithome/missing_date": 2,  # any other per-source figure is kept as a note
        "aidaily/source/ithome/fallback_generic": 0,
        "aidaily/source/36kr/found": 3,
        "aidaily/source/36kr/skipped": 3,
        "aidaily/store/inserted": 5,
    }
    figures = source_figures(stats)
    assert figures["ithome"] == {
        "found": 10,
        "stored": 8,
        "inserted": 5,
        "updated": 1,
        "unchanged": 2,
        "dropped": 1,
        "skipped": 1,
        "known": 0,
        "not_modified": 0,
        "spooled": 0,
        "unkept": 0,
        "relisted": 0,
        "coverage": {"title": 1.0, "body": 1.0, "published_at": 0.75},
        "notes": {"missing_date": 2},
    }
    assert figures["36kr"]["coverage"] == {"title": None, "body": None, "published_at": None}
    assert figures["36kr"]["skipped"] == 3 and figures["36kr"]["stored"] == 0
    assert list(figures) == ["36kr", "ithome"]


def test_run_update_merges_spiders_of_one_run() -> None:
    stats = {"aidaily/source/qbitai/found": 2, "start_time": T0, "bad.key": 1, "obj": object()}
    part = run_part(spider="qbitai", started_at=T0, finished_at=T1, finish_reason="finished", stats=stats)
    update = run_update(part)
    assert not [key for key in update["$set"] if key.startswith("sources")]  # derived after the merge
    assert update["$set"]["stats.qbitai"] == {"aidaily/source/qbitai/found": 2, "start_time": T0}
    assert update["$set"]["finish_reasons.qbitai"] == "finished"
    assert update["$min"] == {"started_at": T0} and update["$max"] == {"finished_at": T1}
    assert update["$addToSet"] == {"spiders": "qbitai"}
    assert plain_stats({"a.b": 1, "$x": 2, "ok": "y"}) == {"ok": "y"}


def test_two_spiders_merge_into_one_run_document(store: Store) -> None:
    # 36kr and 36kr_newsflash both feed source 36kr: its figures are the sum, not the last spider's
    for spider, source, found in (("ithome", "ithome", 4), ("36kr", "36kr", 7), ("36kr_newsflash", "36kr", 6)):
        part = run_part(
            spider=spider,
            started_at=T0,
            finished_at=T1,
            finish_reason="finished",
            stats={f"aidaily/source/{source}/found": found, f"aidaily/source/{source}/stored": 1},
        )
        record_part(store.runs, "run-1", part)
    doc = store.runs.find_one({"_id": "run-1"})
    assert doc is not None
    assert sorted(doc["spiders"]) == ["36kr", "36kr_newsflash", "ithome"]
    assert doc["sources"]["ithome"]["found"] == 4
    assert doc["sources"]["36kr"]["found"] == 13 and doc["sources"]["36kr"]["stored"] == 2
    assert doc["started_at"] == T0 and doc["finished_at"] == T1


def article(n: int, source: str, *, dated: bool) -> dict:
    item = ArticleItem(
        url=f"https://example.cn/{source}/{n}.html",
        source=source,
        title=f"第{n}篇：大模型推理成本继续下降",
        body="多家厂商本周下调了大模型API价格，推理成本继续走低。",
        published_at="2026-01-20 13:32" if dated else None,
    )
    return normalize_article(item, fetched_at=T0)


def test_store_pipeline_counts_per_source_outcomes_and_coverage(store: Store, mongo_uri: str, tmp_path: Path) -> None:
    def run(docs: list[dict]) -> dict:
        crawler = get_crawler(
            settings_dict={
                "MONGO_URI": mongo_uri,
                "MONGO_DATABASE": store.db.name,
                "AIDAILY_DATA_DIR": str(tmp_path),
                "MONGO_TIMEOUT_MS": 5000,
                "STORE_BATCH_SIZE": 50,
                "STORE_RETRY_AFTER_SECONDS": 30,
            }
        )
        crawler.stats.open_spider()
        pipeline = MongoStorePipeline.from_crawler(crawler)

        async def crawl() -> None:  # the pipeline runs on the crawl's event loop
            await pipeline.open_spider()
            for doc in docs:
                await pipeline.process_item(doc)
            await pipeline.close_spider()

        asyncio.run(crawl())
        return source_figures(crawler.stats.get_stats())

    first = run([article(1, "a", dated=True), article(2, "a", dated=False), article(1, "b", dated=True)])
    assert first["a"]["inserted"] == 2 and first["a"]["stored"] == 2
    assert first["a"]["coverage"] == {"title": 1.0, "body": 1.0, "published_at": 0.5}
    assert first["b"]["inserted"] == 1 and first["b"]["coverage"]["published_at"] == 1.0
    second = run([article(1, "a", dated=True), article(1, "b", dated=True)])
    assert second["a"]["unchanged"] == 1 and second["a"]["inserted"] == 0
    assert second["b"]["unchanged"] == 1


# --- request outcomes: what the middleware counts, and how a source that fetched nothing reads ---------


def wrapped(outer: type[Exception], inner: BaseException) -> Exception:
    """An exception as Scrapy raises it: its own class, the Twisted one as the cause."""
    try:
        raise outer(str(inner)) from inner
    except outer as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "outcome"),
    [
        (wrapped(CannotResolveHostError, tx_error.DNSLookupError("x.invalid")), "dns"),
        (tx_error.DNSLookupError("x.invalid"), "dns"),
        (wrapped(DownloadConnectionRefusedError, tx_error.ConnectionRefusedError()), "refused"),
        (wrapped(DownloadTimeoutError, tx_error.TimeoutError()), "timeout"),
        (tx_error.TCPTimedOutError(), "timeout"),
        (ResponseNeverReceived([]), "lost"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots"),
        (IgnoreRequest("offsite"), "ignored"),
        (ValueError("odd"), "error"),
    ],
)
def test_download_exceptions_are_named_by_their_reason(exc: BaseException, outcome: str) -> None:
    assert classify(exc) == outcome


def test_fetch_figures_say_why_nothing_was_answered() -> None:
    stats = {
        "aidaily/fetch/36kr/requests": 12,
        "aidaily/fetch/36kr/dns": 12,
        "aidaily/fetch/qbitai/requests": 7,
        "aidaily/fetch/qbitai/answered": 5,
        "aidaily/fetch/qbitai/http_404": 2,
        "aidaily/fetch/aibase/requests": 1,
        "aidaily/fetch/aibase/http_500": 1,
    }
    figures = fetch_figures(stats)
    assert figures["36kr"] == Fetch(requests=12, answered=0, failed={"dns": 12})
    assert figures["36kr"].unreachable and not figures["qbitai"].unreachable
    assert figures["36kr"].summary() == "0/12 requests answered (DNS lookup failed) — is the network down?"
    assert figures["aibase"].summary() == "0/1 requests answered (HTTP 500) — the site is failing"
    assert figures["qbitai"].reasons() == "HTTP 404" and figures["qbitai"].failures == 2
    mixed = Fetch(requests=3, failed={"timeout": 2, "http_403": 1})
    assert (
        mixed.summary()
        == "0/3 requests answered (timed out 2, HTTP 403 1) — is the network down or the site overloaded?"
    )
    assert every_source_unreachable({"a": figures["36kr"], "b": figures["aibase"]})
    assert not every_source_unreachable(figures) and not every_source_unreachable({})


def test_without_the_middleware_scrapys_own_stats_tell() -> None:
    stats = {
        "downloader/request_count": 9,
        "downloader/exception_type_count/scrapy.exceptions.CannotResolveHostError": 8,
        "downloader/response_status_count/404": 1,
        "robotstxt/request_count": 1,
        "robotstxt/response_status_count/404": 1,
    }
    [(source, fetch)] = fetch_figures(stats, sources=["ithome"]).items()
    assert source == "ithome" and fetch.unreachable and fetch.failed == {"dns": 8}
    assert fetch_figures({"robotstxt/forbidden": 2}, sources=["x"])["x"].failed == {"robots": 2}
    assert fetch_figures({}, sources=["x"]) == {}


def one_spider_run(spider: str, stats: dict) -> dict:
    return {"spiders": [spider], "finish_reasons": {spider: "finished"}, "stats": {spider: stats}}


def test_a_source_that_fetched_nothing_fails_with_the_reason_and_nothing_else() -> None:
    run = one_spider_run("36kr", {"aidaily/fetch/36kr/requests": 12, "aidaily/fetch/36kr/dns": 12})
    flags = health_flags(run, [], margin=0.2, names={"36kr": "36氪"})
    assert [(f.source, f.kind, f.message) for f in flags] == [
        ("36kr", "unreachable", "36氪: 0/12 requests answered (DNS lookup failed) — is the network down?")
    ]


def test_a_working_list_whose_articles_all_fail_to_parse_is_flagged() -> None:
    stats = {
        "aidaily/fetch/ithome/requests": 5,
        "aidaily/fetch/ithome/answered": 5,
        "aidaily/source/ithome/found": 4,
        "aidaily/source/ithome/skipped": 4,
        "aidaily/article/skipped/no_body": 4,
    }
    flags = health_flags(one_spider_run("ithome", stats), [], margin=0.2, names={"ithome": "IT之家"})
    assert [(f.kind, f.message) for f in flags] == [
        ("parse", "IT之家: 列表 4 篇，4 篇正文未能按站点规则解析（no_body 4），只存下 0 篇，解析规则疑似失效")
    ]
    # the same pages read by the generic extractor instead: stored, and still the site's rule is broken
    generic = {k: v for k, v in stats.items() if "skipped" not in k} | {
        "aidaily/source/ithome/stored": 4,
        "aidaily/source/ithome/fallback_generic": 4,
        "aidaily/article/site_failed/no_body": 4,
    }
    assert [f.message for f in health_flags(one_spider_run("ithome", generic), [], margin=0.2)] == [
        "ithome: 列表 4 篇，4 篇正文未能按站点规则解析（no_body 4），4 篇由通用提取器存下，解析规则疑似失效"
    ]
    # two rejected pages of a run that stored more (a deleted article, a verification page) are no flag
    fine = stats | {"aidaily/source/ithome/skipped": 2, "aidaily/source/ithome/stored": 3}
    assert health_flags(one_spider_run("ithome", fine), [], margin=0.2) == []


def test_a_list_that_fails_to_parse_is_flagged_in_a_first_run() -> None:
    stats = {"aidaily/fetch/oschina/requests": 1, "aidaily/fetch/oschina/answered": 1, "aidaily/list/failed/no_list": 1}
    flags = health_flags(one_spider_run("oschina", stats), [], margin=0.2, names={"oschina": "开源中国"})
    assert [f.message for f in flags] == ["开源中国: 0 篇（列表页未能解析：no_list 1），解析规则疑似失效"]
    board = one_spider_run("lmarena", {"aidaily/fetch/lmarena/requests": 1, "aidaily/fetch/lmarena/answered": 1,
                                       "aidaily/leaderboard/failed/bad_json": 1})  # fmt: skip
    assert [f.message for f in health_flags(board, [], margin=0.2)] == ["lmarena: 排行榜文件未能解析（bad_json 1）"]


def test_loss_reasons_show_counters_added_later_by_their_path() -> None:
    run = one_spider_run(
        "qbitai",
        {"aidaily/source/qbitai/found": 3, "aidaily/article/parser_error/KeyError": 1, "aidaily/store/failed/x": 2},
    )
    assert loss_reasons(run) == {"qbitai": {"parser error KeyError": 1, "store/failed/x": 2}}


# --- whole crawls: no network, a refused port, a server error, robots.txt, a parser that lost its page ------

AIDAILY = str(Path(sys.executable).with_name("aidaily"))


def crawl(mongo_uri: str, db_name: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MONGO_DATABASE": db_name, "AIDAILY_DATA_DIR": str(data_dir), "MONGO_TIMEOUT_MS": "3000"}
    command = [AIDAILY, "--mongo-uri", mongo_uri, "crawl", *args, "-s", "RETRY_TIMES=1"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_crawl_with_no_network_exits_non_zero_and_says_why(mongo_uri: str, db_name: str, tmp_path: Path) -> None:
    # DNS for the reserved .invalid domain fails on the machine itself: no internet is involved.
    result = crawl(mongo_uri, db_name, tmp_path, "ithome", "36kr_newsflash", "-s", "MIRROR_URL=http://mirror.invalid")
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    lines = result.stdout.splitlines()
    # one request each, tried twice (RETRY_TIMES=1): counted once, with the reason of its last try
    assert "  FAILED IT之家 (ithome): 0/1 requests answered (DNS lookup failed) — is the network down?" in lines
    assert "  FAILED 36氪 (36kr): 0/1 requests answered (DNS lookup failed) — is the network down?" in lines
    assert "crawl: FAILED — no source answered a single request; is the network down?" in lines
    # on screen the failures are the summary's lines: Scrapy's download errors and tracebacks are in the log file
    assert "Traceback" not in result.stderr and "Error downloading" not in result.stderr


@pytest.mark.slow
def test_a_refused_connection_is_named(mongo_uri: str, db_name: str, tmp_path: Path) -> None:
    closed = f"MIRROR_URL=http://127.0.0.1:{free_port()}"
    result = crawl(mongo_uri, db_name, tmp_path, "ithome", "-s", closed)
    assert result.returncode == 1
    assert "  FAILED IT之家 (ithome): 0/1 requests answered (connection refused) — is the site, or a proxy, down?" in (
        result.stdout.splitlines()
    )


@pytest.mark.slow
def test_server_errors_robots_and_a_broken_parser_are_counted_and_judged(
    mongo_uri: str, db_name: str, tmp_path: Path
) -> None:
    mirror = copy_mirror(tmp_path / "mirror")
    serve_status(mirror, aibase.LIST_URL, 500)
    forbid_robots(mirror, "www.oschina.net")
    for page in sorted((mirror / "www.ithome.com/0/915").glob("*.htm")):
        lose_body(mirror, "https://www.ithome.com/0/915/" + page.name, 'class="post_content" id="paragraph"')
    result = crawl(
        mongo_uri, db_name, tmp_path / "data", "aibase", "oschina", "ithome", "qbitai", "--mirror", str(mirror)
    )
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert "  FAILED AIbase (aibase): 0/1 requests answered (HTTP 500) — the site is failing" in lines
    assert (
        "  FAILED 开源中国 (oschina): 0/1 requests answered (forbidden by robots.txt)"
        " — the site's robots.txt forbids these pages"
    ) in lines
    # the site parser lost every body; the generic fallback stored them, and the judgement below says so
    assert [line for line in lines if line.startswith("ithome: found 5, new 5, updated 0, unchanged 0;")]
    assert not [line for line in lines if "qbitai" in line and "FAILED" in line]
    assert "crawl: 2 source(s) FAILED (see above)" in lines
    with Store.open(mongo_uri, db_name=db_name) as store:
        run = store.runs.find_one()
    assert run is not None
    flags = {f.source: (f.kind, f.message) for f in health_flags(run, [], margin=0.2, names={"ithome": "IT之家"})}
    assert flags == {
        "aibase": ("unreachable", "aibase: 0/1 requests answered (HTTP 500) — the site is failing"),
        "oschina": (
            "unreachable",
            "oschina: 0/1 requests answered (forbidden by robots.txt) — the site's robots.txt forbids these pages",
        ),
        "ithome": (
            "parse",
            "IT之家: 列表 5 篇，5 篇正文未能按站点规则解析（no_body 5），5 篇由通用提取器存下，解析规则疑似失效",
        ),
    }


def test_crawl_summary_lines_and_exit_status() -> None:
    ok = {"aidaily/fetch/ithome/requests": 5, "aidaily/fetch/ithome/answered": 4, "aidaily/fetch/ithome/http_404": 1,
          "aidaily/source/ithome/found": 4, "finish_reason": "finished"}  # fmt: skip
    down = {"aidaily/fetch/36kr/requests": 1, "aidaily/fetch/36kr/timeout": 1, "finish_reason": "finished"}
    lines, status = crawl_summary({"ithome": ok, "36kr": down}, {"ithome": "IT之家"})
    assert status == 1
    assert lines[1:] == [
        "  IT之家 (ithome): 1 of 5 requests failed (HTTP 404)",
        "36kr: found 0, new 0, updated 0, unchanged 0",
        "  FAILED 36氪 (36kr): 0/1 requests answered (timed out) — is the network down or the site overloaded?",
        "crawl: 1 source(s) FAILED (see above)",
    ]
    assert crawl_summary({"ithome": ok}) == ([lines[0], lines[1]], 0)
    spooled = ok | {"aidaily/store/spooled": 3, "aidaily/store/spool_pending": 3, "aidaily/spool/quarantined": 1}
    lines, status = crawl_summary({"ithome": spooled})
    assert status == 0  # spooled is not lost
    assert "database: 3 articles wait in the spool (MongoDB was unreachable); `aidaily replay` writes them" in lines
    assert "store: spool/quarantined 1" in lines
    lines, status = crawl_summary({"ithome": ok | {"aidaily/store/unkept": 2}})
    assert status == 1 and lines[-1] == "crawl: 2 articles were neither stored nor spooled (see the log)"
    unfinished = ok | {"finish_reason": "shutdown"}
    assert "  FAILED ithome: the spider did not finish (shutdown)" in crawl_summary({"ithome": unfinished})[0]
