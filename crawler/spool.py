"""A local JSON Lines spool for documents that could not be written to MongoDB.

Documents are appended as MongoDB Extended JSON (so datetimes survive) and replayed later
by ``aidaily replay`` or the next crawl's store pipeline. A replay claims the file by renaming
it first, so a crash mid-replay leaves the claimed file to be picked up next time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from bson import json_util
from bson.json_util import JSONMode, JSONOptions

from crawler.dates import SHANGHAI

_JSON_OPTIONS = JSONOptions(json_mode=JSONMode.RELAXED, tz_aware=True, tzinfo=SHANGHAI)
PENDING = "pending.jsonl"
CLAIMED_SUFFIX = ".replaying"


class Spool:
    """Append-only JSON Lines file of unsaved documents in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @property
    def path(self) -> Path:
        return self.folder / PENDING

    def append(self, docs: Sequence[Mapping[str, Any]]) -> None:
        if not docs:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        lines = "".join(json_util.dumps(doc, json_options=_JSON_OPTIONS, ensure_ascii=False) + "\n" for doc in docs)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())

    def __len__(self) -> int:
        return sum(1 for _ in self._files_lines())

    def _files_lines(self) -> Iterator[str]:
        for path in self._claimed() + ([self.path] if self.path.exists() else []):
            with path.open(encoding="utf-8") as fh:
                yield from (line for line in fh if line.strip())

    def _claimed(self) -> list[Path]:
        return sorted(self.folder.glob(f"*{CLAIMED_SUFFIX}")) if self.folder.is_dir() else []

    def replay(self, write: Callable[[list[dict[str, Any]]], object], *, batch: int = 200) -> int:
        """Pass every spooled document to ``write`` in batches; return how many were written.

        If ``write`` raises, the documents not yet written stay spooled and the error propagates.
        """
        if self.path.exists():
            self.path.rename(self.folder / f"{os.getpid()}-{os.urandom(4).hex()}{CLAIMED_SUFFIX}")
        written = 0
        for claimed in self._claimed():
            docs = [
                json_util.loads(line, json_options=_JSON_OPTIONS)
                for line in claimed.read_text("utf-8").splitlines()
                if line.strip()
            ]
            for start in range(0, len(docs), batch):
                try:
                    write(docs[start : start + batch])
                except Exception:
                    self.append(docs[start:])
                    claimed.unlink()
                    raise
                written += len(docs[start : start + batch])
            claimed.unlink()
        return written
