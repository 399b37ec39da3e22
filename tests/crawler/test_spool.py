"""The spool: one fsynced line per document, unreadable lines quarantined, nothing partial left behind."""

from __future__ import annotations

import errno
import multiprocessing
import os
from datetime import datetime
from pathlib import Path

import pytest

from crawler.dates import SHANGHAI
from crawler.spool import Spool, SpoolWriteError, encode
from tests.faults import readonly_folder


def docs(n: int, start: int = 0) -> list[dict]:
    return [
        {"_id": str(i), "url": f"https://www.ithome.com/0/1/{i}.htm", "title": f"第{i}篇：大模型"}
        for i in range(start, start + n)
    ]


def test_round_trip_keeps_datetimes_and_unicode(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    when = datetime(2026, 1, 20, 13, 32, tzinfo=SHANGHAI)
    spool.append([{"_id": "a", "title": "大模型", "published_at": when}, {"_id": "b", "published_at": None}])
    assert len(spool) == 2
    got: list[dict] = []
    assert spool.replay(got.extend).written == 2
    assert got[0] == {"_id": "a", "title": "大模型", "published_at": when}
    assert got[0]["published_at"].utcoffset() == when.utcoffset()
    assert len(spool) == 0


def test_failed_replay_keeps_the_unwritten_rest(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append(docs(5))
    written: list[dict] = []

    def flaky(batch: list[dict]) -> None:
        if written:
            raise ConnectionError("database went away")
        written.extend(batch)

    with pytest.raises(ConnectionError):
        spool.replay(flaky, batch=2)
    assert [d["_id"] for d in written] == ["0", "1"]
    rest: list[dict] = []
    spool.replay(rest.extend)
    assert [d["_id"] for d in rest] == ["2", "3", "4"]


def test_every_line_is_fsynced_before_the_next_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spool = Spool(tmp_path)
    real_fsync = os.fsync
    synced: list[tuple[int, bytes]] = []  # (inode, the file's bytes at that fsync)

    def recording_fsync(fd: int) -> None:
        real_fsync(fd)
        if spool.path.exists() and os.fstat(fd).st_ino == spool.path.stat().st_ino:
            synced.append((os.fstat(fd).st_ino, spool.path.read_bytes()))

    monkeypatch.setattr(os, "fsync", recording_fsync)
    batch = docs(3)
    spool.append(batch)
    lines = [encode(d) for d in batch]
    # One fsync per document, each after exactly one more whole line reached the file.
    assert [content for _, content in synced] == [b"".join(lines[: k + 1]) for k in range(3)]


def test_a_line_cut_by_a_crash_is_quarantined_and_replay_goes_on(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append(docs(7))
    cut_json = encode({"_id": "8", "title": "写到一半"})[:20]
    with spool.path.open("ab") as fh:
        fh.write(cut_json)  # the process died mid-write: no newline, half a record
    got: list[dict] = []
    replayed = spool.replay(got.extend)
    assert (replayed.written, replayed.quarantined) == (7, 1)
    assert [d["_id"] for d in got] == [str(i) for i in range(7)]
    assert spool.quarantine_path.read_bytes() == cut_json + b"\n"
    assert len(spool) == 0


def test_a_line_cut_inside_a_utf8_character_or_garbage_is_quarantined(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append(docs(2))
    line = encode({"_id": "x", "title": "大模型"})
    inside_character = line[: line.index("大".encode()) + 1]  # one byte of a three-byte character
    with spool.path.open("ab") as fh:
        fh.write(inside_character + b"\n" + b"\x00\xffnot json\n" + b'{"no_id": 1}\n')
    spool.append(docs(2, start=2))
    got: list[dict] = []
    replayed = spool.replay(got.extend)
    assert (replayed.written, replayed.quarantined) == (4, 3)
    assert [d["_id"] for d in got] == ["0", "1", "2", "3"]
    assert spool.quarantine_path.read_bytes().split(b"\n")[0] == inside_character


def test_an_append_after_a_cut_line_starts_on_a_new_line(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append(docs(1))
    with spool.path.open("ab") as fh:
        fh.write(b'{"_id": "cut", "ti')
    spool.append(docs(1, start=1))  # must not be glued to the cut record
    got: list[dict] = []
    assert spool.replay(got.extend).quarantined == 1
    assert [d["_id"] for d in got] == ["0", "1"]


def test_a_short_write_on_a_full_disk_leaves_only_whole_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spool = Spool(tmp_path)
    real_write = os.write
    calls = 0

    def filling_write(fd: int, data: bytes) -> int:
        nonlocal calls
        calls += 1
        if calls == 3:  # the disk fills half-way through the third line
            return real_write(fd, data[: len(data) // 2])
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", filling_write)
    with pytest.raises(SpoolWriteError) as raised:
        spool.append(docs(4))
    assert raised.value.kept == 2
    assert raised.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert spool.path.read_bytes() == b"".join(encode(d) for d in docs(2))


def test_a_spool_on_a_full_device_keeps_nothing_and_says_so(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.path.symlink_to("/dev/full")  # every write fails with ENOSPC
    with pytest.raises(SpoolWriteError) as raised:
        spool.append(docs(2))
    assert raised.value.kept == 0
    assert raised.value.errno == errno.ENOSPC


def test_a_read_only_spool_folder_raises(tmp_path: Path) -> None:
    with readonly_folder(tmp_path / "ro") as folder, pytest.raises(SpoolWriteError) as raised:
        Spool(folder / "spool").append(docs(1))
    assert raised.value.kept == 0


def _append_in_child(folder: str, start: int, count: int) -> None:
    spool = Spool(Path(folder))
    for i in range(start, start + count):
        spool.append(docs(1, start=i))


def test_appends_from_other_processes_during_replays_are_never_lost(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    context = multiprocessing.get_context("spawn")
    children = [context.Process(target=_append_in_child, args=(str(tmp_path), n * 100, 100)) for n in range(2)]
    for child in children:
        child.start()
    got: list[dict] = []
    while any(child.is_alive() for child in children):
        spool.replay(got.extend)  # renames the file under the appenders' feet, again and again
    for child in children:
        child.join()
        assert child.exitcode == 0
    spool.replay(got.extend)
    assert sorted(int(d["_id"]) for d in got) == list(range(200))
    assert not spool.quarantine_path.exists()
