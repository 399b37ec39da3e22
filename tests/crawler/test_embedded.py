"""The embedded default: SecantusDB in-process, persistent, shared safely by several processes."""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest

from crawler.dates import SHANGHAI
from crawler.embedded import CLIENTS_LOCK, SERVER_LOCK, EmbeddedDatabaseError, EmbeddedMongo
from crawler.store import Store
from tests.faults import fill, remount_readonly, small_disk

# A child process that opens the embedded database of a data folder, writes one document, says
# which server it used, and (with "wait") keeps the store open until its stdin is closed.
CHILD = """
import logging, sys
from pathlib import Path
logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
from crawler.store import Store
store = Store.open(None, data_dir=Path(sys.argv[1]))
print(store.uri, flush=True)
if sys.argv[3:] == ["wait"]:
    sys.stdin.read()
store.articles.insert_one({"_id": sys.argv[2]})
store.close()
print("done", flush=True)
"""


def child(data_dir: Path, doc_id: str, *, wait: bool = False) -> subprocess.Popen[str]:
    args = [sys.executable, "-c", CHILD, str(data_dir), doc_id, *(["wait"] if wait else [])]
    return subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ids(data_dir: Path) -> list[str]:
    with Store.open(None, data_dir=data_dir) as store:
        return sorted(d["_id"] for d in store.articles.find())


def test_data_persists_across_restarts(tmp_path: Path) -> None:
    with Store.open(None, data_dir=tmp_path) as store:
        store.ensure_indexes()
        store.articles.insert_one(
            {"_id": "a", "url": "https://x/1", "published_at": datetime(2026, 1, 20, 9, tzinfo=SHANGHAI)}
        )
    with Store.open(None, data_dir=tmp_path) as store:
        assert store.articles.find_one({"_id": "a"})["published_at"].isoformat() == "2026-01-20T09:00:00+08:00"
        assert "url_unique" in store.articles.index_information()
    assert not (tmp_path / "db" / "server.json").exists()


def test_a_second_process_attaches_to_the_running_server(tmp_path: Path) -> None:
    with EmbeddedMongo(tmp_path / "db") as server:
        proc = child(tmp_path, "b")
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.split() == [server.uri, "done"]
        with Store.open(server.uri) as store:
            assert store.articles.find_one({"_id": "b"}) == {"_id": "b"}


def test_a_process_starting_while_another_starts_or_stops_waits_then_serves(tmp_path: Path) -> None:
    db = tmp_path / "db"
    db.mkdir()
    # This test stands for a process in the middle of starting or stopping the server: it holds the lock.
    fd = os.open(db / SERVER_LOCK, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    proc = child(tmp_path, "c")
    assert proc.stderr is not None
    for line in proc.stderr:  # until it says it waits, or exits
        if "waiting for another aidaily process to start or stop the database" in line:
            break
    assert proc.poll() is None, "it did not wait for the lock"
    assert not (db / "wiredtiger").exists()  # and did not open the folder meanwhile
    os.close(fd)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.split()[-1] == "done" and "Traceback" not in err
    assert ids(tmp_path) == ["c"]


class _Said(logging.Handler):
    """Sets ``event`` when a record containing ``text`` is logged."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.event = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.event.set()


def test_the_owner_waits_for_attached_processes_before_stopping(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    owner = EmbeddedMongo(tmp_path / "db")
    owner.start()
    attached = child(tmp_path, "late", wait=True)
    assert attached.stdout is not None and attached.stdout.readline().strip() == owner.uri  # attached, store open
    said = _Said("waiting for another aidaily process to finish using the database")
    log = logging.getLogger("crawler.embedded")
    log.addHandler(said)
    stopper = threading.Thread(target=owner.stop)
    try:
        with caplog.at_level(logging.INFO, logger="crawler.embedded"):
            stopper.start()
            assert said.event.wait(60), "the owner did not wait for the attached process"
    finally:
        log.removeHandler(said)
    assert stopper.is_alive()
    out, err = attached.communicate("", timeout=120)  # it writes its document and closes
    assert attached.returncode == 0 and out.strip() == "done", err
    stopper.join(120)
    assert not stopper.is_alive()
    assert ids(tmp_path) == ["late"]


def test_two_processes_started_together_share_one_server(tmp_path: Path) -> None:
    procs = [child(tmp_path, name) for name in ("p1", "p2")]
    results = [proc.communicate(timeout=180) for proc in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    assert ids(tmp_path) == ["p1", "p2"]


def test_an_explicit_port_on_a_served_folder_is_one_clear_error(tmp_path: Path) -> None:
    with EmbeddedMongo(tmp_path / "db") as server:
        with pytest.raises(EmbeddedDatabaseError, match="already served"):
            EmbeddedMongo(tmp_path / "db", port=27999).start()
        assert server.owner  # the serving process is not disturbed


def test_a_failure_reported_while_closing_fails_the_stop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = EmbeddedMongo(tmp_path / "db")
    server.start()
    real_stop = server._server.stop

    def stop_with_a_failed_checkpoint() -> None:
        real_stop()
        # What SecantusDB logs when WiredTiger cannot checkpoint at close (seen on a full disk).
        logging.getLogger("secantus.storage.close").error("final checkpoint failed during close")

    monkeypatch.setattr(server._server, "stop", stop_with_a_failed_checkpoint)
    with pytest.raises(EmbeddedDatabaseError, match=r"did not close cleanly.*final checkpoint failed"):
        server.stop()
    assert not (tmp_path / "db" / CLIENTS_LOCK).read_bytes()  # the lock files hold nothing


def test_a_full_disk_at_close_is_detected(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "24m") as disk:
        server = EmbeddedMongo(disk / "db")
        server.start()
        with Store.open(server.uri) as store:
            store.articles.insert_many([{"_id": str(i), "body": "正文" * 2000} for i in range(200)])
        fill(disk)  # the checkpoint at close finds no space
        with pytest.raises(EmbeddedDatabaseError, match="did not close cleanly"):
            server.stop()


def test_a_read_only_database_folder_is_one_clear_error(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "24m") as disk:
        with EmbeddedMongo(disk / "db"):
            pass  # a database was made here
        remount_readonly(disk)
        with pytest.raises(EmbeddedDatabaseError, match="Read-only file system"):
            EmbeddedMongo(disk / "db").start()


# A client gives up on an update that is still running (here an update handler held on purpose until the
# process is stopping the server; a huge page's update ran a minute), then the process stops the server.
# The update is let go only once stop() says it waits for it: closed under the update, the database would
# lose it or crash; waited for, the update ends, then the server stops.
GIVE_UP = """
import logging, sys, threading
from pathlib import Path
from pymongo import MongoClient
from pymongo.errors import NetworkTimeout
from secantus import commands
from crawler.embedded import EmbeddedMongo
logging.basicConfig(level=logging.WARNING)
release = threading.Event()
class ReleaseWhenStopWaits(logging.Handler):
    def emit(self, record):
        if record.getMessage().startswith("waiting for 1 database operations"):
            release.set()
logging.getLogger("crawler.embedded").addHandler(ReleaseWhenStopWaits())
real_update = commands._HANDLERS["update"]
def held_update(*args, **kwargs):
    if not release.wait(120):  # a bound, so a stop that never waits fails the test rather than hangs it
        raise RuntimeError("stop() never waited for the update")
    done = real_update(*args, **kwargs)
    print("update ran", flush=True)
    return done
commands._HANDLERS["update"] = held_update
server = EmbeddedMongo(Path(sys.argv[1]))
uri = server.start()
with MongoClient(uri) as client:
    client.t.docs.insert_many([{"_id": i} for i in range(5)])
with MongoClient(uri, socketTimeoutMS=500) as client:
    try:
        client.t.docs.update_many({}, {"$set": {"done": True}})
    except NetworkTimeout:
        print("client gave up", flush=True)
server.stop()
print("stopped", flush=True)
"""


def test_stop_waits_for_an_operation_its_client_gave_up_on(tmp_path: Path) -> None:
    # SecantusDB's own stop waits 5 s, then closes WiredTiger under the running update: a
    # use-after-free, a SIGSEGV in some runs (what killed `aidaily enrich` on a 5 MB page).
    proc = subprocess.run(
        [sys.executable, "-c", GIVE_UP, str(tmp_path / "db")], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    # the client gave up while the update was held; stop() waited, the update ran, only then the server stopped
    assert proc.stdout.split("\n")[:3] == ["client gave up", "update ran", "stopped"], proc.stderr[-3000:]
    assert "waiting for 1 database operations to finish" in proc.stderr
    with EmbeddedMongo(tmp_path / "db") as server, Store.open(server.uri) as store:
        assert store.client.t.docs.count_documents({"done": True}) == 5  # the update ran to its end
