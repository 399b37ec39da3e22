"""The offline mirror in a process of its own, so the crawl bench can count its CPU apart from the crawl's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crawler.mirror import MirrorHTTPServer


class MirrorProcess:
    """``python -m bench.mirror_process ROOT`` as a context manager: ``base_url`` and ``pid`` once started."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def __enter__(self) -> MirrorProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.mirror_process", str(self.root)], stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            raise RuntimeError("the mirror process did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)


class _BenchMirror(MirrorHTTPServer):
    # Every response closes its connection (HTTP/1.0), so 16 concurrent requests reconnect all the time; with
    # socketserver's default backlog of 5 a dropped SYN now and then stalled a crawl ~30 s (SYN retries).
    request_queue_size = 1024


def main() -> None:
    server = _BenchMirror(Path(sys.argv[1]))
    print(server.base_url, flush=True)
    server.serve_forever()  # until the bench terminates it


if __name__ == "__main__":
    main()
