"""Distributed crawls: several ``aidaily crawl --distributed`` processes over one Redis and one MongoDB."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner
from scrapy import Request
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.test import get_crawler

from aidaily.cli import main
from crawler.distributed import ReliableQueue
from crawler.mirror import MirrorServer, mirror_path
from crawler.spiders.ithome import IthomeSpider
from crawler.store import Store
from tests.gates import GatedMirror
from tests.servers import RedisServerProcess
from tests.synthetic_mirror import build_ithome_mirror

AIDAILY = str(Path(sys.executable).parent / "aidaily")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway redis-server on a free loopback port, no persistence; the tests that use it skip without one."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs Debian's redis-server")
    server = RedisServerProcess(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture
def fresh_redis(redis_url: str) -> str:
    redis.Redis.from_url(redis_url).flushall()
    return redis_url


def crawl_args(mongo_uri: str, redis_url: str, mirror: MirrorServer, *extra: str) -> list[str]:
    return [
        AIDAILY,
        "--mongo-uri",
        mongo_uri,
        "crawl",
        "ithome",
        "--distributed",
        "-s",
        f"REDIS_URL={redis_url}",
        "-s",
        f"MIRROR_URL={mirror.base_url}",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "ROBOTSTXT_OBEY=False",
        "-s",
        "MAX_IDLE_TIME_BEFORE_CLOSE=2",
        "-s",
        "DISTRIBUTED_HEARTBEAT_SECONDS=2",
        *extra,
    ]


def start(args: list[str], db_name: str, data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MONGO_DATABASE": db_name, "AIDAILY_DATA_DIR": str(data_dir)}
    return subprocess.Popen(args, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def seed(mongo_uri: str, redis_url: str, mirror: MirrorServer, db_name: str, tmp_path: Path) -> None:
    log = tmp_path / "seed.log"
    proc = start(crawl_args(mongo_uri, redis_url, mirror, "--seed"), db_name, tmp_path / "seed", log)
    assert proc.wait(120) == 0, log.read_text()
    assert "ithome: seeded 1 requests" in log.read_text()


def article_fetches(mirror: MirrorServer) -> Counter[str]:
    return Counter(name for name in mirror.requests if name.endswith(".htm"))


def stored(mongo_uri: str, db_name: str) -> list[dict[str, object]]:
    with Store.open(mongo_uri, db_name=db_name) as store:
        return list(store.find_articles({}, projection={"url": 1, "first_seen_at": 1}))


def test_two_workers_store_every_article_once(mongo_uri: str, db_name: str, fresh_redis: str, tmp_path: Path) -> None:
    urls = build_ithome_mirror(tmp_path / "pages", 24)
    # Every article page waits at the gate until both workers are fetching one: a worker pops at most
    # CONCURRENT_REQUESTS (16) of the 24, so the other always gets some, however late it starts.
    with GatedMirror(tmp_path / "pages", gated=lambda name: name.endswith(".htm"), allow=0) as mirror:
        seed(mongo_uri, fresh_redis, mirror, db_name, tmp_path)
        assert mirror.requests == []  # the seeder only enqueues
        one_at_a_time = ("-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")  # so two held requests are one per worker
        logs = [tmp_path / f"worker{i}.log" for i in (1, 2)]
        workers = [
            start(crawl_args(mongo_uri, fresh_redis, mirror, *one_at_a_time), db_name, tmp_path / f"w{i}", log)
            for i, log in enumerate(logs)
        ]
        mirror.wait_held(2)
        mirror.release()
        for proc, log in zip(workers, logs, strict=True):
            assert proc.wait(120) == 0, log.read_text()
        fetched = article_fetches(mirror)
    docs = stored(mongo_uri, db_name)
    assert sorted(d["url"] for d in docs) == sorted(urls)
    assert all(d["first_seen_at"] is not None for d in docs)
    # One shared queue and fingerprint set: each article page fetched once in all, by either worker.
    assert fetched == Counter(mirror_path(url) for url in urls)
    news = [int(log.read_text().split("ithome: found ")[1].split("new ")[1].split(",")[0]) for log in logs]
    assert sum(news) == len(urls) and all(n > 0 for n in news), news


def test_killed_worker_loses_nothing(mongo_uri: str, db_name: str, fresh_redis: str, tmp_path: Path) -> None:
    urls = build_ithome_mirror(tmp_path / "pages", 30)
    # The first 6 article pages go through; the next ones wait at the gate until the doomed worker is dead.
    with GatedMirror(tmp_path / "pages", gated=lambda name: name.endswith(".htm"), allow=6) as mirror:
        seed(mongo_uri, fresh_redis, mirror, db_name, tmp_path)
        doomed = start(crawl_args(mongo_uri, fresh_redis, mirror), db_name, tmp_path / "w1", tmp_path / "w1.log")
        mirror.wait_held(1)  # the doomed worker holds requests, and its 6 articles sit unwritten in its batch
        survivor_log = tmp_path / "w2.log"
        survivor = start(crawl_args(mongo_uri, fresh_redis, mirror), db_name, tmp_path / "w2", survivor_log)
        wait_for_heartbeats(fresh_redis, 2, [doomed, survivor])
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)
        assert stored(mongo_uri, db_name) == []  # killed mid-crawl, with nothing written
        mirror.release()
        assert survivor.wait(120) == 0, survivor_log.read_text()
    docs = stored(mongo_uri, db_name)
    assert sorted(d["url"] for d in docs) == sorted(urls)
    assert "requests are back in the queue" in survivor_log.read_text()
    assert not redis.Redis.from_url(fresh_redis).keys("ithome:processing:*")


def wait_for_heartbeats(redis_url: str, count: int, procs: list[subprocess.Popen[bytes]]) -> None:
    """Until ``count`` workers beat in Redis (each beats once its queue is open)."""
    server = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + 120
    while len(server.keys("ithome:requests:worker:*")) < count:
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "workers did not start"
        time.sleep(0.05)  # polling Redis for the state we wait on, not a guess at how long it takes


def test_queue_round_trips_spider_requests_by_callback_name(fresh_redis: str) -> None:
    crawler = get_crawler(IthomeSpider, {"REDIS_URL": fresh_redis, "DISTRIBUTED_ROLE": "seed"})
    spider = IthomeSpider.from_crawler(crawler)
    server = redis.Redis.from_url(fresh_redis)
    queue = ReliableQueue(server, spider, "%(spider)s:requests")
    request = Request(
        "https://www.ithome.com/0/915/391.htm",
        spider.parse_article,
        cb_kwargs={"list_url": "https://www.ithome.com/rss/"},
        meta={"article": True, "aidaily_queue_entry": "7"},
    )
    queue.push(request)
    queue.seeding = False
    popped = queue.pop()
    assert popped is not None
    assert popped.url == request.url
    assert popped.callback == spider.parse_article
    assert popped.cb_kwargs == {"list_url": "https://www.ithome.com/rss/"}
    assert popped.meta["article"] is True
    # Filed under this worker until acknowledged, with a fresh entry id.
    assert server.hlen(queue.processing_key) == 1
    assert popped.meta["aidaily_queue_entry"] != "7"


class _NextCall:
    def __init__(self) -> None:
        self.scheduled = 0

    def schedule(self, delay: float = 0) -> None:
        self.scheduled += 1


class _Loop:
    """Stands in for the heartbeat's LoopingCall: starting a real one would install Twisted's default reactor."""

    def __init__(self, call: object) -> None:
        self.running = False

    def start(self, interval: float, now: bool = True) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False


def test_an_idle_worker_waits_for_its_heartbeat_instead_of_spinning(
    fresh_redis: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("crawler.distributed.task.LoopingCall", _Loop)
    crawler = get_crawler(IthomeSpider, {"REDIS_URL": fresh_redis, "DISTRIBUTED_ROLE": "worker"})
    spider = IthomeSpider.from_crawler(crawler)
    slot = type("Slot", (), {"inprogress": set(), "nextcall": _NextCall()})()
    crawler.engine = type("Engine", (), {"_slot": slot})()  # the engine's slot, as a running crawl has it
    queue = ReliableQueue(redis.Redis.from_url(fresh_redis), spider, "%(spider)s:requests")
    slot.nextcall.scheduled = 0  # the first beat, on opening
    with pytest.raises(DontCloseSpider):  # idle, but not for MAX_IDLE_TIME_BEFORE_CLOSE yet
        queue.on_idle()
    assert slot.nextcall.scheduled == 0  # the idle signal does not wake the engine straight back up
    queue.beat()  # the heartbeat loop does
    assert slot.nextcall.scheduled == 1


def test_seed_is_only_for_distributed_crawls(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--data-dir", str(tmp_path), "crawl", "ithome", "--seed"], env={"MONGO_URI": None}
    )
    assert result.exit_code == 2
    assert "add --distributed" in result.output


def test_distributed_crawl_needs_one_shared_database(tmp_path: Path) -> None:
    args = ["--data-dir", str(tmp_path), "crawl", "ithome", "-s", "DISTRIBUTED=True"]
    result = CliRunner().invoke(main, args, env={"MONGO_URI": None})
    assert result.exit_code == 2
    assert "one shared MongoDB" in result.output
