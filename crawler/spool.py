"""A local JSON Lines spool for documents that could not be written to MongoDB.

Documents are appended as MongoDB Extended JSON (so datetimes survive), one line per document,
each line written with one ``write`` and fsynced before the next, under an exclusive lock on the
file (several aidaily processes may share a data folder). A line that cannot be written whole is
cut off again, so the file never ends inside a record.

A replay claims the file by renaming it first, so a crash mid-replay leaves the claimed file to be
picked up next time. A line that does not parse (cut by a crash mid-write, cut inside a UTF-8
character, garbage) is moved to ``quarantine.jsonl`` beside it, counted, and replay goes on past it.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bson import json_util
from bson.errors import BSONError
from bson.json_util import JSONMode, JSONOptions

from crawler.dates import SHANGHAI

logger = logging.getLogger(__name__)

_JSON_OPTIONS = JSONOptions(json_mode=JSONMode.RELAXED, tz_aware=True, tzinfo=SHANGHAI)
PENDING = "pending.jsonl"
QUARANTINE = "quarantine.jsonl"
CLAIMED_SUFFIX = ".replaying"
REPLAY_LOCK = ".replay.lock"


class SpoolWriteError(OSError):
    """The spool could not take every document: the first ``kept`` of them were written."""

    def __init__(self, kept: int, cause: OSError) -> None:
        super().__init__(cause.errno, f"spool not writable after {kept} documents: {cause.strerror or cause}")
        self.kept = kept


@dataclass(frozen=True)
class Replayed:
    """What one replay did: documents written back, and unreadable lines moved to the quarantine file."""

    written: int = 0
    quarantined: int = 0


def encode(doc: Mapping[str, Any]) -> bytes:
    """One spool line: the document as relaxed Extended JSON, newline-terminated."""
    return (json_util.dumps(doc, json_options=_JSON_OPTIONS, ensure_ascii=False) + "\n").encode("utf-8")


def decode(line: bytes) -> dict[str, Any]:
    """The document of one spool line; ValueError when the line is not one whole document."""
    try:
        doc = json_util.loads(line.decode("utf-8"), json_options=_JSON_OPTIONS)
    except BSONError as exc:  # a malformed $oid, $date, ...
        raise ValueError(str(exc)) from exc
    if not isinstance(doc, dict) or "_id" not in doc:
        raise ValueError("not a document with an _id")
    return doc


class Spool:
    """Append-only JSON Lines file of unsaved documents in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @property
    def path(self) -> Path:
        return self.folder / PENDING

    @property
    def quarantine_path(self) -> Path:
        return self.folder / QUARANTINE

    def append(self, docs: Sequence[Mapping[str, Any]]) -> None:
        """Write ``docs``, one fsynced line each; SpoolWriteError says how many were kept before a failure."""
        if not docs:
            return
        lines = [encode(doc) for doc in docs]
        kept = 0
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with _locked_pending(self.path) as fd:
                for line in lines:
                    _append_line(fd, line)
                    kept += 1
        except OSError as exc:
            raise SpoolWriteError(kept, exc) from exc

    def __len__(self) -> int:
        return sum(1 for _ in self._lines())

    def _lines(self) -> Iterator[bytes]:
        for path in [*self._claimed(), self.path]:
            try:
                with path.open("rb") as fh:
                    yield from (line for line in fh if line.strip())
            except FileNotFoundError:
                continue  # replayed meanwhile by another process

    def _claimed(self) -> list[Path]:
        return sorted(self.folder.glob(f"*{CLAIMED_SUFFIX}")) if self.folder.is_dir() else []

    def replay(self, write: Callable[[list[dict[str, Any]]], object], *, batch: int = 200) -> Replayed:
        """Pass every readable spooled document to ``write`` in batches; quarantine the unreadable lines.

        If ``write`` raises, the documents not yet written stay spooled and the error propagates.
        One process replays a spool at a time; another finding it busy replays nothing.
        """
        if not self.folder.is_dir():
            return Replayed()
        with _replay_lock(self.folder / REPLAY_LOCK) as held:
            if not held:
                logger.info("the spool %s is being replayed by another process", self.folder)
                return Replayed()
            self._claim()
            written = quarantined = 0
            for claimed in self._claimed():
                docs, bad = self._read_claimed(claimed)
                quarantined += len(bad)
                for start in range(0, len(docs), batch):
                    try:
                        write(docs[start : start + batch])
                    except Exception:
                        self.append(docs[start:])  # if this fails too, the claimed file stays for next time
                        claimed.unlink()
                        raise
                    written += len(docs[start : start + batch])
                claimed.unlink()
            return Replayed(written, quarantined)

    def _claim(self) -> None:
        """Rename the pending file for replay, under its lock so no append lands in it afterwards."""
        try:
            with _locked_pending(self.path, create=False):
                self.path.rename(self.folder / f"{os.getpid()}-{os.urandom(4).hex()}{CLAIMED_SUFFIX}")
        except FileNotFoundError:
            return

    def _read_claimed(self, claimed: Path) -> tuple[list[dict[str, Any]], list[bytes]]:
        """The documents of a claimed file; its unreadable lines are written to the quarantine file first."""
        docs: list[dict[str, Any]] = []
        bad: list[bytes] = []
        for number, line in enumerate(claimed.read_bytes().split(b"\n"), 1):
            if not line.strip():
                continue
            try:
                docs.append(decode(line))
            except ValueError as exc:  # JSON, UTF-8, BSON and shape errors
                logger.error("spool %s line %d unreadable (%s); moved to %s", claimed.name, number, exc, QUARANTINE)
                bad.append(line)
        if bad:
            with _locked_pending(self.quarantine_path) as fd:
                for line in bad:
                    _append_line(fd, line + b"\n")
        return docs, bad


def _append_line(fd: int, line: bytes) -> None:
    """Append one line and fsync it; on failure cut the file back to where the line began."""
    start = os.lseek(fd, 0, os.SEEK_END)
    try:
        written = os.write(fd, line)
        if written != len(line):  # a short write: the disk filled up mid-line
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(fd)
    except OSError:
        try:
            os.ftruncate(fd, start)
        except OSError as cut:
            # The cut line stays; replay will quarantine it. Say so rather than hide it.
            logger.error("could not cut a partial spool line at byte %d: %s", start, cut)
        raise


class _locked_pending:
    """An fd on ``path`` for appending, exclusively locked, and still the file at ``path`` once locked.

    A replay renames the file under the same lock, so an appender that opened the old file
    before the rename reopens the new one instead of writing into a file being replayed.
    """

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        self.create = create
        self.fd = -1

    def __enter__(self) -> int:
        flags = os.O_RDWR | os.O_APPEND | os.O_CLOEXEC | (os.O_CREAT if self.create else 0)
        while True:
            created = self.create and not self.path.exists()
            fd = os.open(self.path, flags, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
            if not self.create:
                raise FileNotFoundError(errno.ENOENT, "claimed by another process", str(self.path))
        if created:
            _fsync_dir(self.path.parent)  # the new file's name survives a crash too
        _end_line(fd)
        self.fd = fd
        return fd

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # closing releases the lock


def _end_line(fd: int) -> None:
    """If the file ends inside a line (a cut no one could undo), start a new line so the next record stays whole."""
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        os.write(fd, b"\n")
        os.fsync(fd)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _replay_lock:
    """A non-blocking exclusive lock on ``path``: entered as True when held, False when another process has it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = -1

    def __enter__(self) -> bool:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)
