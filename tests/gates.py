"""Sync points for crawl tests: a mirror that holds requests at a gate until the test opens it.

A test that must act "mid-crawl" (kill a worker, kill the database) lets the first few article
pages through, waits until the crawl is stuck on the next one, acts, and opens the gate. The
crawl cannot have finished in between, however fast or slow the machine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from crawler.mirror import MirrorServer


class GatedMirror(MirrorServer):
    """The mirror server; requests for names ``gated`` picks wait after the first ``allow`` until ``release``.

    ``allow`` counts distinct names: a page asked for again (two spiders reach one article) is served.
    """

    def __init__(self, root: Path | str, *, gated: Callable[[str], bool], allow: int) -> None:
        super().__init__(root)
        self.allow = allow
        self.passed: set[str] = set()
        self.held = 0
        self._open = False
        self._changed = threading.Condition()
        gate = self
        base = self.httpd.RequestHandlerClass

        class GatedHandler(base):  # type: ignore[misc,valid-type]
            def do_GET(self) -> None:
                name = unquote(self.path.lstrip("/"))
                if gated(name):
                    gate._wait_turn(name)
                super().do_GET()

        self.httpd.RequestHandlerClass = GatedHandler

    def _wait_turn(self, name: str) -> None:
        with self._changed:
            if not self._open and name not in self.passed and len(self.passed) >= self.allow:
                self.held += 1
                self._changed.notify_all()
                self._changed.wait_for(lambda: self._open)
            self.passed.add(name)
            self._changed.notify_all()

    def wait_held(self, count: int = 1, timeout: float = 120) -> None:
        """Block until ``count`` requests wait at the closed gate."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.held >= count, timeout):
                raise TimeoutError(f"{self.held} requests reached the gate, not {count} ({len(self.passed)} passed)")

    def release(self) -> None:
        """Open the gate for good: held requests go on, later ones are not held."""
        with self._changed:
            self._open = True
            self._changed.notify_all()

    def __exit__(self, *exc: object) -> None:
        self.release()  # never leave a handler thread parked
        super().__exit__(*exc)
