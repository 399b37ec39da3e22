"""The embedded default database: SecantusDB (MongoDB wire protocol over WiredTiger), in-process.

WiredTiger locks its data folder, so only one process can serve a folder. The process that
starts the server records its address in ``server.json``; another aidaily process that finds
a live server there connects to it instead of starting a second one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
from pathlib import Path
from types import TracebackType

logger = logging.getLogger(__name__)

ADDRESS_FILE = "server.json"


class EmbeddedMongo:
    """A SecantusDB server on 127.0.0.1 over ``data_dir``, or the one already serving it."""

    def __init__(self, data_dir: Path, port: int = 0) -> None:
        self.data_dir = Path(data_dir)
        self.port = port
        self._server: object | None = None
        self._uri: str | None = None

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
        self.data_dir.mkdir(parents=True, exist_ok=True)
        running = self._running_server()
        if running and not self.port:
            self._uri = running
            logger.info("using the embedded database already serving %s at %s", self.data_dir, running)
            return running
        from secantus import SecantusDBServer  # heavy import, only when we serve

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
        self._server = server
        self._uri = server.uri
        (self.data_dir / ADDRESS_FILE).write_text(json.dumps({"uri": self._uri, "pid": os.getpid()}))
        logger.info("embedded database serving %s at %s", self.data_dir, self._uri)
        return self._uri

    def stop(self) -> None:
        if self._server is not None:
            (self.data_dir / ADDRESS_FILE).unlink(missing_ok=True)
            # SecantusDB's stop() closes its listening socket and joins the accept thread with a 2 s
            # timeout, but on Linux close() does not wake a thread blocked in accept(): every command
            # waited the full 2 s on exit. shutdown() does wake it (accept fails at once).
            listening = getattr(self._server, "_socket", None)
            if isinstance(listening, socket.socket):
                with contextlib.suppress(OSError):
                    listening.shutdown(socket.SHUT_RDWR)
            self._server.stop()  # type: ignore[attr-defined]
            self._server = None

    def __enter__(self) -> EmbeddedMongo:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _running_server(self) -> str | None:
        path = self.data_dir / ADDRESS_FILE
        if not path.is_file():
            return None
        try:
            record = json.loads(path.read_text())
            uri, pid = record["uri"], int(record["pid"])
        except (ValueError, KeyError, OSError):
            return None
        if not _pid_alive(pid) or not _accepts(uri):
            return None
        return str(uri)


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
