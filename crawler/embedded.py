"""The embedded default database: SecantusDB (MongoDB wire protocol over WiredTiger), in-process.

WiredTiger locks its data folder, so only one process can serve a folder. The process that
starts the server records its address in ``server.json``; another aidaily process that finds
a live server there connects to it instead of starting a second one.

Two locks in the data folder make that safe between processes (``fcntl.flock``, released by the
kernel when a process dies):

- ``server.lock``, held exclusively while a process starts or stops the server, so a second
  process never opens the folder in the window where the first is starting or shutting down;
- ``clients.lock``, held shared by every process attached to another's server. The owner takes
  it exclusively before it stops, so it waits for them: the server lives in its process.

A server that did not close cleanly (WiredTiger reports a failed checkpoint or a panic, say on a
full disk) raises ``EmbeddedDatabaseError`` from ``stop``: the data written until then is in
WiredTiger's journal, but the run must not pass for a clean one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
import time
from pathlib import Path
from types import TracebackType
from typing import Any

logger = logging.getLogger(__name__)

ADDRESS_FILE = "server.json"
SERVER_LOCK = "server.lock"
CLIENTS_LOCK = "clients.lock"
# How long to wait for another process to start or stop the server, and for the database's last
# operations to finish before it closes (a huge update can take a minute on the Python server).
LOCK_WAIT_SECONDS = 300.0
DRAIN_WAIT_SECONDS = 300.0
_POLL_SECONDS = 0.05


class EmbeddedDatabaseError(OSError):
    """The embedded database cannot be opened, shared or closed cleanly; the message is one line for the user.

    An OSError: like a disk error, it is the machine's state, and callers that report OSErrors
    in one line (``aidaily daily``) report this one too.
    """


class EmbeddedMongo:
    """A SecantusDB server on 127.0.0.1 over ``data_dir``, or the one already serving it."""

    def __init__(self, data_dir: Path, port: int = 0) -> None:
        self.data_dir = Path(data_dir)
        self.port = port
        self._server: Any = None
        self._uri: str | None = None
        self._clients_fd: int | None = None

    @property
    def uri(self) -> str:
        if self._uri is None:
            raise RuntimeError("embedded database is not started")
        return self._uri

    @property
    def owner(self) -> bool:
        """Whether this process runs the server (rather than using one another process runs)."""
        return self._server is not None

    def start(self) -> str:
        """Start the server, or attach to the live one recorded in the data folder; return its URI."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EmbeddedDatabaseError(f"cannot create the database folder {self.data_dir}: {exc.strerror}") from exc
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            with _FileLock(self.data_dir / SERVER_LOCK, deadline=deadline, what="start or stop the database"):
                running = self._running_server()
                if running is None:
                    return self._serve()
                uri, pid = running
                if self.port:
                    raise EmbeddedDatabaseError(f"{self.data_dir} is already served at {uri} by process {pid}")
                if pid == os.getpid() or self._hold_clients_lock():
                    self._uri = uri
                    logger.info("using the embedded database already serving %s at %s", self.data_dir, uri)
                    return uri
            # The owner is stopping (it holds the clients lock exclusively): once it is done, serve ourselves.
            if time.monotonic() > deadline:
                raise EmbeddedDatabaseError(f"the process serving {self.data_dir} did not finish stopping")
            time.sleep(_POLL_SECONDS)

    def _serve(self) -> str:
        import wiredtiger
        from secantus import SecantusDBServer  # heavy import, only when we serve

        try:
            server = SecantusDBServer(
                host="127.0.0.1",
                port=self.port,
                storage_path=str(self.data_dir / "wiredtiger"),
                replica_set_name=None,  # standalone: no oplog writes on every insert
                enable_test_commands=False,
                durable=True,
                # fsync each commit: an acknowledged article survives a crash of this process
                # (measured: ~1.5x on batched upserts, which is what the store sends)
                sync_on_commit=True,
            )
            server.start()
        except (OSError, RuntimeError, wiredtiger.WiredTigerError) as exc:
            raise EmbeddedDatabaseError(f"cannot open the embedded database in {self.data_dir}: {exc}") from exc
        self._server = server
        self._uri = str(server.uri)
        try:
            _write_file(self.data_dir / ADDRESS_FILE, json.dumps({"uri": self._uri, "pid": os.getpid()}))
        except OSError as exc:
            self._server = None
            server.stop()
            raise EmbeddedDatabaseError(f"cannot write to the database folder {self.data_dir}: {exc.strerror}") from exc
        logger.info("embedded database serving %s at %s", self.data_dir, self._uri)
        return self._uri

    def stop(self) -> None:
        """Detach, or (as the owner) wait for attached processes and running operations, then close."""
        if self._clients_fd is not None:
            os.close(self._clients_fd)  # releases the shared lock: the owner may stop now
            self._clients_fd = None
        server, self._server = self._server, None
        if server is None:
            return
        clients = _FileLock(
            self.data_dir / CLIENTS_LOCK, deadline=None, what="finish using the database", shared=False
        ).acquire()
        try:
            with _FileLock(self.data_dir / SERVER_LOCK, deadline=None, what="start the database"):
                (self.data_dir / ADDRESS_FILE).unlink(missing_ok=True)
                _close_server(server, self.data_dir)
        finally:
            os.close(clients)

    def __enter__(self) -> EmbeddedMongo:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _hold_clients_lock(self) -> bool:
        """Take the shared clients lock; False when the owner holds it exclusively (it is stopping)."""
        fd = _open_lock(self.data_dir / CLIENTS_LOCK)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._clients_fd = fd
        return True

    def _running_server(self) -> tuple[str, int] | None:
        path = self.data_dir / ADDRESS_FILE
        if not path.is_file():
            return None
        try:
            record = json.loads(path.read_text())
            uri, pid = str(record["uri"]), int(record["pid"])
        except (ValueError, KeyError, TypeError, OSError):
            return None
        if not _pid_alive(pid) or not _accepts(uri):
            return None
        return uri, pid


def _close_server(server: Any, data_dir: Path) -> None:
    """Stop ``server`` once no operation runs on it; raise if WiredTiger reports a failure while closing."""
    started = time.monotonic()
    deadline = started + DRAIN_WAIT_SECONDS
    waited = False
    # Closing WiredTiger under a running operation is a use-after-free (a SIGSEGV in some runs):
    # an operation whose client gave up (a socket timeout) still runs on the server's thread.
    # SecantusDB waits 5 s for that at stop, then closes anyway; wait here until it is done.
    while True:
        server.connections.close_all()  # idle connections end at once, busy ones after their operation
        if not len(server.connections) or time.monotonic() > deadline:
            break
        if not waited and time.monotonic() - started > 1:  # idle connections take milliseconds to end
            logger.warning("waiting for %d database operations to finish before closing", len(server.connections))
            waited = True
        time.sleep(_POLL_SECONDS)
    if len(server.connections):
        # Leave WiredTiger open rather than free it under a live thread; its journal recovers on next open.
        raise EmbeddedDatabaseError(
            f"the embedded database in {data_dir} was still busy after {DRAIN_WAIT_SECONDS:.0f} s"
        )
    # SecantusDB's stop() closes its listening socket and joins the accept thread with a 2 s
    # timeout, but on Linux close() does not wake a thread blocked in accept(): every command
    # waited the full 2 s on exit. shutdown() does wake it (accept fails at once).
    listening = getattr(server, "_socket", None)
    if isinstance(listening, socket.socket):
        with contextlib.suppress(OSError):
            listening.shutdown(socket.SHUT_RDWR)
    failures = _CloseFailures()
    close_log = logging.getLogger(_CLOSE_LOGGER)
    close_log.addFilter(failures)
    try:
        server.stop()
    finally:
        close_log.removeFilter(failures)
    if failures.messages:
        raise EmbeddedDatabaseError(
            f"the embedded database in {data_dir} did not close cleanly ({'; '.join(failures.messages)}); "
            "what was written is in its journal, but check the disk"
        )


class _CloseFailures(logging.Filter):
    """Takes the ERROR records SecantusDB logs while closing (a failed checkpoint, a WiredTiger panic).

    They are reported once, in the error ``stop`` raises, rather than as SecantusDB's tracebacks.
    """

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        error = record.exc_info[1] if record.exc_info else None
        if record.getMessage() == _OPLOG_META_FAILED and str(error) == "Storage is closed":
            # SecantusDB 0.7 logs this whenever stop() runs on a thread that never used the storage
            # (its per-thread session is refused once closing began); the counters it would save are
            # recovered from the data on the next open, as after a crash. Not a failure to report.
            return False
        self.messages.append(record.getMessage() + (f": {error}" if error else ""))
        return False


# Where SecantusDB 0.7 logs failures of Storage.close (secantus/storage.py).
_CLOSE_LOGGER = "secantus.storage.close"
_OPLOG_META_FAILED = "failed to persist oplog meta during close"


class _FileLock:
    """An ``flock`` on ``path`` (exclusive unless ``shared``), waited for until ``deadline`` (None: forever)."""

    def __init__(self, path: Path, *, deadline: float | None, what: str, shared: bool = False) -> None:
        self.path = path
        self.deadline = deadline
        self.what = what
        self.mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        self.fd = -1

    def acquire(self) -> int:
        fd = _open_lock(self.path)
        logged = False
        while True:
            try:
                fcntl.flock(fd, self.mode | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if self.deadline is not None and time.monotonic() > self.deadline:
                    os.close(fd)
                    raise EmbeddedDatabaseError(
                        f"gave up waiting for another aidaily process to {self.what} in {self.path.parent}"
                    ) from None
                if not logged:
                    logger.info("waiting for another aidaily process to %s in %s", self.what, self.path.parent)
                    logged = True
                time.sleep(_POLL_SECONDS)

    def __enter__(self) -> int:
        self.fd = self.acquire()
        return self.fd

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)


def _open_lock(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise EmbeddedDatabaseError(f"cannot use the database folder {path.parent}: {exc.strerror}") from exc


def _write_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole: readers never see half of it."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _accepts(uri: str) -> bool:
    host_port = uri.split("//", 1)[1].rstrip("/").split("/")[0]
    host, port = host_port.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False
