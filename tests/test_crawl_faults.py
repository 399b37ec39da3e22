"""``aidaily crawl`` under faults: two crawls on one data folder, a dead database, a full or read-only disk."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.spool import Spool
from crawler.store import Store
from tests.faults import TAIL_MARKER, fill, huge_body, readonly_folder, small_disk
from tests.gates import GatedMirror
from tests.saved_pages import PROJECT_PAGES, saved_pages
from tests.servers import free_port
from tests.synthetic_mirror import build_ithome_mirror

AIDAILY = str(Path(sys.executable).with_name("aidaily"))
ITHOME = sorted(
    p.expected["article"]["url"]
    for p in saved_pages(PROJECT_PAGES)
    if "article" in p.expected and p.url.startswith("https://www.ithome.com/0/")
)
OUR_FRAMES = re.compile(r'File ".*/(crawler|enrich)/')
pytestmark = pytest.mark.slow


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MONGO_URI", "AIDAILY_DATA_DIR")}
    return env | {"AIDAILY_DATA_DIR": str(data_dir), "MONGO_TIMEOUT_MS": "500"}


def start(data_dir: Path, *args: str, log: Path) -> subprocess.Popen[str]:
    # Output to files: a full pipe would stall a crawl nobody reads from yet.
    return subprocess.Popen(
        [AIDAILY, *args], env=env_for(data_dir), stdout=log.open("w"), stderr=log.with_suffix(".err").open("w")
    )


def outputs(log: Path) -> tuple[str, str]:
    return log.read_text(), log.with_suffix(".err").read_text()


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def cut_spool(data_dir: Path, good: int = 7) -> None:
    """A spool of ``good`` whole lines and a last one cut inside a UTF-8 character, as a crash leaves it."""
    spool = Spool(data_dir / "spool")
    docs = [
        {"_id": f"s{n}", "url": f"https://www.ithome.com/0/900/{n:03d}.htm", "source": "ithome",
         "title": f"第{n}篇", "body": "正文。", "content_hash": str(n)}
        for n in range(good + 1)
    ]  # fmt: skip
    spool.append(docs[:good])
    line = (json.dumps(docs[good], ensure_ascii=False) + "\n").encode()
    with spool.path.open("ab") as fh:
        fh.write(line[: line.index("第".encode()) + 1])


def test_replay_writes_every_good_line_of_a_spool_cut_by_a_crash(tmp_path: Path, mongo_uri: str, db_name: str) -> None:
    data_dir = tmp_path / "data"
    cut_spool(data_dir)
    env = env_for(data_dir) | {"MONGO_DATABASE": db_name}
    replay = subprocess.run([AIDAILY, "--mongo-uri", mongo_uri, "replay"], env=env, capture_output=True, text=True)
    assert replay.returncode == 1
    assert "replayed 8 spool lines: new 7, updated 0, unchanged 0, quarantined 1" in replay.stdout
    assert (
        last_line(replay.stderr)
        == f"Error: 1 unreadable spool lines moved to {data_dir / 'spool' / 'quarantine.jsonl'}"
    )
    with Store.open(mongo_uri, db_name=db_name) as store:
        assert store.articles.count_documents({}) == 7


def test_a_crawl_after_a_crash_cut_the_spool_stores_everything(tmp_path: Path, mongo_uri: str, db_name: str) -> None:
    data_dir = tmp_path / "data"
    cut_spool(data_dir)
    log = tmp_path / "crawl.log"
    args = ["--mongo-uri", mongo_uri, "--database", db_name, "crawl", "ithome", "--mirror", str(PROJECT_PAGES)]
    proc = start(data_dir, *args, log=log)
    proc.wait(600)
    out, err = outputs(log)
    assert f"ithome: found {len(ITHOME)}, new {len(ITHOME)}, updated 0, unchanged 0" in out.splitlines()
    assert "database: 7 articles from the spool written to MongoDB" in out.splitlines()
    assert proc.returncode == 1  # the cut line is a loss, said once
    assert last_line(err) == "Error: ithome: 1 unreadable spool lines quarantined"


def test_two_crawls_started_together_on_one_data_folder_store_every_article_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    logs = [tmp_path / f"crawl{i}.log" for i in (1, 2)]
    procs = [start(data_dir, "crawl", "--mirror", str(PROJECT_PAGES), log=log) for log in logs]
    for proc in procs:
        proc.wait(600)
    results = [outputs(log) for log in logs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err[-3000:]
        assert "Traceback" not in err and "resource busy" not in err.lower()
    with Store.open(None, data_dir=data_dir) as store:
        urls = [d["url"] for d in store.articles.find({}, {"url": 1})]
    assert len(urls) == len(set(urls)) >= 30
    articles = [line for out, _ in results for line in out.splitlines() if "leaderboard snapshots" not in line]
    new = [int(n) for line in articles for n in re.findall(r" new (\d+)", line)]
    assert sum(new) == len(urls)  # each article counted new once, by one of the two crawls


def test_database_down_and_spool_unwritable_exits_non_zero_naming_the_articles(tmp_path: Path) -> None:
    dead = f"mongodb://127.0.0.1:{free_port()}/?directConnection=true"
    with readonly_folder(tmp_path / "ro") as data_dir:
        log = tmp_path / "crawl.log"
        proc = start(data_dir, "--mongo-uri", dead, "crawl", "ithome", "--mirror", str(PROJECT_PAGES), log=log)
        proc.wait(600)
    out, err = outputs(log)
    assert proc.returncode == 1, err[-3000:]
    n = len(ITHOME)
    line = rf"^ithome: found {n}, new 0, updated 0, unchanged 0, unkept {n}, \d+ errors logged$"
    assert re.search(line, out, re.M), out
    assert last_line(err) == (
        f"Error: ithome: {n} articles could not be kept (database and spool both failed; URLs in the log)"
    )
    assert sorted(re.findall(r"not kept: (\S+)", err)) == ITHOME
    assert "Traceback" not in err


def test_the_embedded_database_in_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    with readonly_folder(tmp_path / "ro") as data_dir:
        log = tmp_path / "crawl.log"
        proc = start(data_dir, "crawl", "ithome", "--mirror", str(PROJECT_PAGES), log=log)
        proc.wait(600)
    _, err = outputs(log)
    assert proc.returncode == 1
    assert "Traceback" not in err
    assert re.fullmatch(r"Error: cannot (create|open) the (embedded )?database .*", last_line(err)), err[-2000:]


def test_daily_with_the_embedded_database_in_a_read_only_folder_fails_in_one_line(tmp_path: Path) -> None:
    with readonly_folder(tmp_path / "ro") as data_dir:
        log = tmp_path / "daily.log"
        proc = start(data_dir, "daily", "--mirror", str(PROJECT_PAGES), "--no-llm", log=log)
        proc.wait(600)
    out, err = outputs(log)
    assert proc.returncode == 2  # the run failed
    assert re.search(r"^error: cannot (create|open) the (embedded )?database ", out, re.M), out
    assert "Traceback" not in err


def test_the_embedded_database_on_a_disk_that_fills_up_fails_the_crawl(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "24m") as disk:
        log = tmp_path / "crawl.log"
        ithome = lambda name: name.startswith("www.ithome.com/0/")  # noqa: E731
        with GatedMirror(PROJECT_PAGES, gated=ithome, allow=1) as mirror:
            args = ["crawl", "ithome", "-s", f"MIRROR_URL={mirror.base_url}", "-s", "AUTOTHROTTLE_ENABLED=False"]
            proc = start(disk / "data", *args, log=log)
            mirror.wait_held(1)  # the database is open and the crawl under way
            fill(disk)
            mirror.release()
            proc.wait(600)
    out, err = outputs(log)
    assert proc.returncode == 1, out + err[-3000:]
    assert not OUR_FRAMES.search(err)  # WiredTiger's own messages, but no traceback through aidaily
    assert last_line(err).startswith("Error: "), err[-2000:]


def test_enrich_survives_a_5_mb_page(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    urls = build_ithome_mirror(pages, 5)
    page = pages / "www.ithome.com" / urls[0].split("www.ithome.com/", 1)[1]
    paragraphs = "".join(f"<p>{line}</p>\n" for line in huge_body().splitlines())
    marker = '<div class="post_content" id="paragraph">\n'
    page.write_text(page.read_text(encoding="utf-8").replace(marker, marker + paragraphs, 1), encoding="utf-8")
    assert page.stat().st_size > 5_000_000
    data_dir = tmp_path / "data"
    run = [AIDAILY, "--data-dir", str(data_dir)]
    crawl = subprocess.run(
        [*run, "crawl", "ithome", "--mirror", str(pages)],
        env=env_for(data_dir),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert crawl.returncode == 0 and "ithome: found 5, new 5," in crawl.stdout, crawl.stderr[-3000:]
    enrich = subprocess.run(
        [*run, "enrich", "--no-models"], env=env_for(data_dir), capture_output=True, text=True, timeout=600
    )
    assert enrich.returncode == 0, enrich.stderr[-3000:]
    assert "enriched 5 articles" in enrich.stderr
    with Store.open(None, data_dir=data_dir) as store:
        huge = store.articles.find_one({"url": urls[0]})
        assert huge is not None and huge["enriched_at"] is not None
        assert TAIL_MARKER in huge["body"] and TAIL_MARKER not in huge["tokens"]
        assert store.articles.count_documents({"enriched_at": None}) == 0
