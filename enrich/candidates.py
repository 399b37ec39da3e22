"""The event join's candidate pairs day by day: in this process, or in a second one while this one does the rest.

A day's candidates (``enrich.pairgate.candidate_pairs``) and the shipped pair model's verdicts on them depend on the
articles alone, never on an earlier day's decisions: a second process can compute every day's ahead of the runner,
which meanwhile tokenises, vectorises, deduplicates and assigns clusters. That process is spawned, not forked: a fork
of a process holding the corpus starts with the corpus's pages resident (and counted) in both, while a spawned one
holds only what it is sent: each article's title, lead, source and time. It decides with the shipped model only when
nothing else must see the pairs (no caller's gate, candidate sink or LLM judge); otherwise it sends the pairs and the
runner decides, as in one process.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import numpy as np

from enrich.pairgate import GateRules, Pair, Text, candidate_pairs, count_rows, gate_text
from enrich.pairmodel import load_pair_model

# (query, pool, title cosine) of a pair the shipped gate accepted, window positions as in ``Pair``.
Accepted = tuple[int, int, float]


@dataclass(frozen=True)
class Schedule:
    """Which rows each day reads and decides: every row in publication order, each row's day, which are targets."""

    in_order: np.ndarray  # row indices, earliest first
    day_of: np.ndarray  # day ordinal of each row
    target: np.ndarray  # whether each row is to be enriched (else it is context)
    window_days: int

    def window(self, day: date) -> tuple[np.ndarray, np.ndarray]:
        """The rows of ``day``'s window (the day and ``window_days`` before it, in publication order) and the
        positions in it of the day's targets."""
        # Rows of later days are never in the window, context or not: a day sees only its past.
        lo, hi = (day - timedelta(days=self.window_days)).toordinal(), day.toordinal()
        ordinal = self.day_of[self.in_order]
        rows = self.in_order[(ordinal >= lo) & (ordinal <= hi)]
        today = np.flatnonzero(self.target[rows] & (self.day_of[rows] == hi)).astype(np.int64)
        return rows, today


def schedule(ids: Sequence[str], times: Sequence[datetime | None], days: Sequence[date], targets: Sequence[bool],
             window_days: int) -> Schedule:  # fmt: skip
    """The schedule of articles ``ids`` published at ``times`` on ``days`` (the runner's rows, in row order)."""
    # Publication order: dated first by time, then undated, ties by id (enrich.runner's order key).
    keys = [(0, t.timestamp(), i) if t else (1, 0.0, i) for i, t in zip(ids, times, strict=True)]
    return Schedule(
        in_order=np.asarray(sorted(range(len(ids)), key=keys.__getitem__), dtype=np.int64),
        day_of=np.asarray([d.toordinal() for d in days], dtype=np.int64),
        target=np.asarray(targets, dtype=bool),
        window_days=window_days,
    )


class Candidates:
    """Every article's gate text and character n-gram counts, and each day's candidate pairs from them."""

    def __init__(self, articles: Sequence[tuple[str, str, str]], times: Sequence[datetime | None], rules: GateRules):
        self.texts: list[Text] = [gate_text(title, body, source) for title, body, source in articles]
        self.title_counts, self.full_counts = count_rows(self.texts)
        self.times = times
        self.rules = rules

    def day(self, window: np.ndarray, today: np.ndarray) -> list[Pair]:
        """The candidate pairs of the ``today`` positions of ``window`` (``Schedule.window``)."""
        return candidate_pairs(
            self.texts, self.title_counts, self.full_counts,
            window=window, today=today, times=self.times, rules=self.rules,
        )  # fmt: skip


@dataclass(frozen=True)
class Job:
    """What the second process is sent: the gate's reading of each article, the schedule and the days to do."""

    articles: list[tuple[str, str, str]]  # title, lead (``gate_text`` reads no further), source
    times: list[datetime | None]
    schedule: Schedule
    days: list[date]
    rules: GateRules
    decide: bool  # send the shipped model's accepted pairs instead of the candidates


@dataclass(frozen=True)
class DayResult:
    """One day from the second process: its candidates, or (``Job.decide``) the pairs the shipped gate accepted."""

    day: date
    pairs: list[Pair] | None = None
    accepted: list[Accepted] | None = None


def accepted_pairs(pairs: Sequence[Pair], verdicts: Sequence[bool]) -> list[Accepted]:
    """The accepted candidates as (query, pool, title cosine), in candidate order."""
    return [(p.query, p.pool, p.title_sim) for p, ok in zip(pairs, verdicts, strict=True) if ok]


def serve(job: Job, out: BinaryIO) -> None:
    """Every day's result in day order, pickled onto ``out`` (the second process's work)."""
    candidates = Candidates(job.articles, job.times, job.rules)
    accept = load_pair_model().accept if job.decide else None
    for day in job.days:
        pairs = candidates.day(*job.schedule.window(day))
        if accept is None:
            result = DayResult(day, pairs)
        else:
            result = DayResult(day, accepted=accepted_pairs(pairs, accept(pairs)))
        pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


def main() -> None:
    """The second process: a ``Job`` on stdin, the days on stdout, or the traceback of what stopped it."""
    job, out = pickle.load(sys.stdin.buffer), sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed by accident may enter the stream of results
    try:
        serve(job, out)
    except Exception:
        pickle.dump(traceback.format_exc(), out)  # raised in the runner with this traceback: printed once, there
        out.flush()
        raise SystemExit(1) from None


class CandidateProcess:
    """The second process, started on entry and ended on exit; ``receive`` hands over the days in order.

    A plain child interpreter (``python -m enrich.candidates``), not ``multiprocessing``: spawning through it
    imports the caller's main module again in the child (a script without a ``__main__`` guard runs twice) and hangs
    if the child dies while its start-up data is still being written. A thread here takes each day off the pipe as
    soon as it is sent, so the child is never held up by a full pipe while the runner is busy with an earlier day.
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self._results: queue.Queue[DayResult | str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, name="enrich-candidates-reader", daemon=True)
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> CandidateProcess:
        # The child imports this very package: its folder goes first on the child's path.
        path = [_PACKAGE_ROOT, *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "enrich.candidates"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self._reader.start()
        assert self.process.stdin is not None
        try:
            pickle.dump(self.job, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.close()
        except BrokenPipeError as error:
            self.__exit__(None, None, None)
            raise RuntimeError(
                f"the event-join process ended on start (exit code {self.process.returncode})"
            ) from error
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.terminate()  # the runner failed or is done: no day it has not asked for is needed
        self.process.wait()
        self._reader.join()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        while True:
            try:
                result = pickle.load(self.process.stdout)
            except (EOFError, OSError, ValueError):
                self._results.put(None)  # the child is gone (done, failed or ended on exit)
                return
            except Exception:
                self._results.put(f"its output could not be read:\n{traceback.format_exc()}")  # receive() raises it
                return
            self._results.put(result)

    def receive(self, day: date) -> DayResult:
        """``day``'s result (the days come in ``Job.days`` order)."""
        result = self._results.get()
        if result is None:
            assert self.process is not None
            raise RuntimeError(f"the event-join process ended without a result for {day} (exit code "
                               f"{self.process.wait()})")  # fmt: skip
        if isinstance(result, str):
            raise RuntimeError(f"the event-join process failed on {day}:\n{result}")
        if result.day != day:
            raise RuntimeError(f"the event-join process sent {result.day} when {day} was due")
        return result


_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


if __name__ == "__main__":
    # Through the imported module, not this __main__ copy: results must unpickle as enrich.candidates.DayResult.
    from enrich.candidates import main as serve_job

    serve_job()
