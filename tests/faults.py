"""Faults for tests: a small tmpfs that fills up, a folder that cannot be written, a 5 MB page.

A full disk is a tmpfs of a few megabytes (root only: ``mount -t tmpfs``), filled by a file that
takes whatever space is left. A read-only folder is a read-only tmpfs as root (root writes
through permission bits), and a folder without write permission otherwise. Where a mount is not
allowed (no root, or a container without CAP_SYS_ADMIN) the test is skipped with the reason.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.saved_pages import PROJECT_PAGES, saved_pages


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip() or result.returncode})")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], check=True)


@contextlib.contextmanager
def small_disk(path: Path, size: str = "16m") -> Iterator[Path]:
    """A tmpfs of ``size`` at ``path``; skips the test when one cannot be mounted."""
    if os.geteuid() != 0:
        pytest.skip("a small disk needs a tmpfs mount, which needs root")
    path.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path))
    try:
        yield path
    finally:
        _umount(path)


def fill(disk: Path) -> Path:
    """Write a file on ``disk`` until no space is left; returns it (delete it to free the space)."""
    filler = disk / "filler"
    chunk = b"\0" * (1 << 16)
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        while True:
            try:
                if os.write(fd, chunk) < len(chunk):
                    chunk = chunk[: len(chunk) // 2] or b"\0"
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                if len(chunk) == 1:
                    break
                chunk = chunk[: len(chunk) // 2]
    finally:
        os.close(fd)
    return filler


def remount_readonly(disk: Path) -> None:
    """Make the tmpfs of ``small_disk`` read-only, with what it holds."""
    _mount("-o", "remount,ro", str(disk))


@contextlib.contextmanager
def readonly_folder(path: Path) -> Iterator[Path]:
    """An empty folder at ``path`` that no one can write to."""
    if os.geteuid() == 0:
        path.mkdir(parents=True, exist_ok=True)
        _mount("-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(path))
        try:
            yield path
        finally:
            _umount(path)
        return
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o555)
    try:
        yield path
    finally:
        path.chmod(0o755)


@contextlib.contextmanager
def no_space_under(folder: Path) -> Iterator[None]:
    """In this process, every ``os.write`` to a file under ``folder`` fails with ENOSPC, as on a full disk."""
    real_write = os.write
    prefix = str(folder.resolve()) + os.sep

    def write(fd: int, data: Any) -> int:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if target.startswith(prefix):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    os.write = write
    try:
        yield
    finally:
        os.write = real_write


TAIL_MARKER = "zqxtailmarker"


def huge_body(size: int = 5_000_000) -> str:
    """~``size`` bytes of real sentences from the saved pages, each paragraph with new identifiers (many tokens)."""
    bodies = [p.expected["article"]["body"] for p in saved_pages(PROJECT_PAGES) if "article" in p.expected]
    sentences = [s for body in bodies for s in re.split(r"(?<=[。！？])", body) if len(s) > 8]
    rng = random.Random(7)
    paragraphs: list[str] = []
    total = 0
    while total < size:
        words = " ".join(f"m{rng.randrange(36**6):x}" for _ in range(8))
        paragraph = f"{rng.choice(sentences)} {words}{rng.choice(sentences)}"
        paragraphs.append(paragraph)
        total += len(paragraph.encode())
    return "\n".join(paragraphs) + f"\n最后一段：{TAIL_MARKER}"
