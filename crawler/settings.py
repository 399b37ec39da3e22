"""Scrapy settings for aidaily: the one place that reads the environment."""

from __future__ import annotations

import os

from platformdirs import user_data_dir

from crawler.envvalues import env_float, env_int


def _int(name: str, default: int) -> int:
    return env_int(name, os.environ.get(name, str(default)))


def _float(name: str, default: float) -> float:
    return env_float(name, os.environ.get(name, str(default)))


BOT_NAME = "aidaily"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Honest, browser-compatible identification: sites see who crawls them and how to reach us.
USER_AGENT = os.environ.get(
    "AIDAILY_USER_AGENT",
    "Mozilla/5.0 (compatible; aidaily/0.1; +https://github.com/aidaily/aidaily) Scrapy",
)
ROBOTSTXT_OBEY = True

# Politeness: two requests at a time per site, AutoThrottle adapting the delay to the site.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30

# Retries with backoff on transient failures (Scrapy >= 2.13 backs off between tries).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]

# The HTTP cache is for development (``aidaily crawl --http-cache``): re-parse without re-fetching.
HTTPCACHE_ENABLED = False
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_EXPIRATION_SECS = 0

DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.8,*/*;q=0.7",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6",
}

DOWNLOADER_MIDDLEWARES = {
    # Engine side of robots.txt, retries and redirects: each request counted once, with its last outcome.
    "crawler.outcomes.RequestOutcomeMiddleware": 60,
    # Nearest the downloader, so robots.txt, retries and the cache all see the real URLs.
    "crawler.middlewares.MirrorMiddleware": 950,
    # After decompression (590), before retries (550): a page served with the wrong charset is
    # re-decoded, then a cut page is retried and, if it stays cut, flagged so it is never stored.
    "crawler.middlewares.CharsetMiddleware": 575,
    "crawler.middlewares.TruncatedResponseMiddleware": 560,
}
# Per-source request outcomes (answered, DNS, refused, timeout, HTTP status, robots.txt) in the stats.
FETCH_OUTCOMES_ENABLED = True
# A response shorter than its Content-Length reaches TruncatedResponseMiddleware flagged
# ``dataloss`` (retried, then counted) instead of failing as a download error.
DOWNLOAD_FAIL_ON_DATALOSS = False

# Without MONGO_URI, one embedded database for the whole crawl (see crawler/addons.py).
ADDONS = {"crawler.addons.EmbeddedMongoAddon": 0}

ITEM_PIPELINES = {
    "crawler.pipelines.normalize.NormalizePipeline": 100,
    "crawler.pipelines.validate.ValidatePipeline": 200,
    "crawler.pipelines.leaderboard.LeaderboardPipeline": 800,
    "crawler.pipelines.store.MongoStorePipeline": 900,
}

# Storage. No MONGO_URI: the embedded SecantusDB server on AIDAILY_DATA_DIR.
MONGO_URI = os.environ.get("MONGO_URI", "")
MONGO_DATABASE = os.environ.get("MONGO_DATABASE", "aidaily")
MONGO_TIMEOUT_MS = _int("MONGO_TIMEOUT_MS", 5000)
AIDAILY_DATA_DIR = os.environ.get("AIDAILY_DATA_DIR") or user_data_dir("aidaily", appauthor=False)
STORE_BATCH_SIZE = 50
# Batches being written by the store's writer thread before the crawl waits for it (back-pressure).
STORE_MAX_PENDING_BATCHES = 2
# After a failed write, go straight to the spool for this long instead of waiting on a dead server.
STORE_RETRY_AFTER_SECONDS = 30.0

# Validation: texts that mark an anti-bot, verification or challenge page, never an article.
VALIDATE_BLOCK_MARKERS = [
    "当前环境异常，完成验证后即可继续访问",
    "完成验证后即可继续访问",
    "请完成安全验证",
    "请输入验证码",
    "访问验证",
    "滑动验证",
    "人机验证",
    "Just a moment...",
    "Checking your browser",
    "Attention Required! | Cloudflare",
    "Access Denied",
    "Please enable JavaScript and cookies",
]
VALIDATE_MIN_BODY_CHARS = 10
VALIDATE_REQUIRE_DATE = False

# Offline mirror (``aidaily crawl --mirror DIR``): every request goes to this local server.
MIRROR_URL = os.environ.get("AIDAILY_MIRROR_URL", "")

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("AIDAILY_LOG_LEVEL", "INFO")

# LLM commentary (``aidaily commentary`` / ``aidaily report``): any OpenAI-compatible endpoint.
# No OPENAI_BASE_URL and no OPENAI_API_KEY: reports are extractive and say so. See docs/LLM.md.
OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "")
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "")
LLM_MODEL = os.environ.get("LLM_MODEL", "")
LLM_TIMEOUT_SECONDS = _float("LLM_TIMEOUT_SECONDS", 60)
LLM_MAX_RETRIES = _int("LLM_MAX_RETRIES", 2)
LLM_CONCURRENCY = _int("LLM_CONCURRENCY", 4)
LLM_DEEP_STORIES = _int("LLM_DEEP_STORIES", 6)

# User RSS/Atom sources (TOML, see docs/SOURCES.md); empty: <AIDAILY_DATA_DIR>/sources.toml.
AIDAILY_SOURCES_FILE = os.environ.get("AIDAILY_SOURCES_FILE", "")
# Source id -> display name for sources beyond the built-in ones; the rss spider adds its feeds.
SOURCE_NAMES: dict[str, str] = {}

# Per-source health figures of each crawl, merged into ``crawl_runs`` when a spider closes.
EXTENSIONS = {"crawler.extensions.CrawlRunRecorder": 500}
CRAWL_RUNS_ENABLED = os.environ.get("AIDAILY_CRAWL_RUNS", "1") != "0"

# Distributed crawling (``aidaily crawl --distributed``, or DISTRIBUTED=True): scrapy-redis's scheduler
# over one Redis shared by every worker; ``crawler.distributed.configure`` switches the scheduler.
DISTRIBUTED = os.environ.get("AIDAILY_DISTRIBUTED", "0").lower() in ("1", "true", "yes")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
SCHEDULER_PERSIST = True
# A worker closes once the shared queue has been empty, and no other worker busy, this long.
MAX_IDLE_TIME_BEFORE_CLOSE = _int("AIDAILY_MAX_IDLE_SECONDS", 30)
# A worker silent this long is taken for dead and its in-flight requests go back to the queue.
DISTRIBUTED_HEARTBEAT_SECONDS = 30.0

# Enrichment (``aidaily enrich``): see enrich/runner.py for what each threshold decides.
ENRICH_WINDOW_DAYS = 7
ENRICH_TITLE_WEIGHT = 2.0
ENRICH_NEAR_SIM = 0.5
ENRICH_NEAR_CONTAINMENT = 0.8
ENRICH_NEAR_MAX_DAYS = 3.0
ENRICH_CLUSTER_SIM = 0.28
ENRICH_CLUSTER_DAY_PENALTY = 0.03
# 2 (the default): with 5,000+ articles, the event join's candidates are computed in a second process beside the
# rest (fewer articles: one process); 3+: the rest also tokenises in a pool. Results are the same whatever the
# number (bench/enrich_identity.py).
ENRICH_PROCESSES = _int("AIDAILY_ENRICH_PROCESSES", 2)
# Enrichment reads at most this many characters of a body (tokens, duplicates, models): a 5 MB
# page is still stored whole, but its tail is not tokenised.
ENRICH_MAX_BODY_CHARS = 100_000

# Incremental crawls (INCREMENTAL=True, or AIDAILY_INCREMENTAL=1): articles already in MongoDB are
# not fetched again, except recent ones (first seen < INCREMENTAL_RECENT_HOURS ago) last fetched
# REFETCH_AFTER_HOURS ago or more, which are re-fetched with If-None-Match / If-Modified-Since.
INCREMENTAL = os.environ.get("AIDAILY_INCREMENTAL", "0").lower() in ("1", "true", "yes")
REFETCH_AFTER_HOURS = 6.0
INCREMENTAL_RECENT_HOURS = 48.0
INCREMENTAL_CACHE_SIZE = 50_000
SPIDER_MIDDLEWARES = {"crawler.incremental.IncrementalMiddleware": 800}

# ``aidaily daily``: the report styles it writes, and how a source's run is judged against its
# last HEALTH_HISTORY_RUNS runs (a coverage share below their median minus the margin is flagged;
# runs that stored fewer than HEALTH_MIN_STORED articles of a source are not judged on coverage).
DAILY_STYLES = [s for s in os.environ.get("AIDAILY_DAILY_STYLES", "tracker,insight,digest").split(",") if s]
HEALTH_HISTORY_RUNS = 10
HEALTH_COVERAGE_MARGIN = 0.2
HEALTH_MIN_STORED = 3
