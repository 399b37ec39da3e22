"""The offline mirror: saved pages laid out as ``<host>/<path>``, served on 127.0.0.1.

A page's ``<name>.meta.json`` holds its status and headers as the site sent them; its ``Date``
is served as saved, so relative dates on the page (``3小时前``) resolve against the time it was
saved, not the time it is replayed.

The one rule for file names, used both to save and to serve: the URL's path as it appears
in the URL (percent-encoding kept), ``?`` written as ``%3F`` before the query, and
``index.html`` for an empty path or one ending in ``/``. A path that is a directory on disk
is served from its ``index.html``.
"""

from __future__ import annotations

import json
import mimetypes
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

META_SUFFIX = ".meta.json"
EXPECTED_SUFFIX = ".expected.json"
SIDE_FILES = (META_SUFFIX, EXPECTED_SUFFIX)


def mirror_path(url: str) -> str:
    """Relative file name of a URL in a mirror folder, e.g. ``www.ithome.com/0/915/391.htm``."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if path.endswith("/"):
        path += "index.html"
    name = parts.netloc.lower() + path
    if parts.query:
        name += "%3F" + parts.query
    return name


def mirror_url(base: str, url: str) -> str:
    """The URL on the local mirror server that serves ``url``."""
    return base.rstrip("/") + "/" + quote(mirror_path(url), safe="/")


def resolve(root: Path, name: str) -> Path | None:
    """The saved file for a mirror file name, or None when the mirror lacks it.

    Names that climb out of the folder (``..``) are refused; a symbolic link inside it is
    followed, so a mirror can point at data kept elsewhere.
    """
    target = Path(os.path.normpath(root / name))
    if Path(os.path.normpath(root)) not in target.parents:
        return None
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file() or target.name.endswith(SIDE_FILES):
        return None
    return target


class _MirrorHandler(BaseHTTPRequestHandler):
    server: MirrorHTTPServer

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _serve(self, *, send_body: bool) -> None:
        name = unquote(self.path.lstrip("/"))
        self.server.requests.append(name)
        target = resolve(self.server.root, name)
        if target is None:
            self.server.answers.append((name, 404))
            self._reply(404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>404 Not Found</h1>", send_body)
            return
        status, headers = 200, {}
        meta = target.with_name(target.name + META_SUFFIX)
        if meta.is_file():
            spec = json.loads(meta.read_text(encoding="utf-8"))
            status = int(spec.get("status", 200))
            headers = dict(spec.get("headers", {}))
        if not any(key.lower() == "content-type" for key in headers):
            headers["Content-Type"] = _guess_type(target)
        self.server.answers.append((name, status))
        self._reply(status, headers, target.read_bytes(), send_body)

    def _reply(self, status: int, headers: dict[str, str], body: bytes, send_body: bool) -> None:
        # send_response() would add its own Date: the clock of the replay, not of the save
        self.log_request(status)
        self.send_response_only(status)
        self.send_header("Server", self.version_string())
        names = {key.lower() for key in headers}
        if "date" not in names:
            self.send_header("Date", self.date_time_string())
        for key, value in headers.items():
            self.send_header(key, value)
        if "content-length" not in names:  # a saved Content-Length replays a download cut short
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the crawl log already records every request


def _guess_type(path: Path) -> str:
    if path.suffix in ("", ".htm", ".html", ".shtml"):
        return "text/html; charset=utf-8"
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return guessed + ("; charset=utf-8" if guessed.startswith("text/") or guessed.endswith(("json", "xml")) else "")


class MirrorHTTPServer(ThreadingHTTPServer):
    """Serves a mirror folder; ``requests`` records every file name asked for, ``answers`` each with its status."""

    daemon_threads = True

    def __init__(self, root: Path, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _MirrorHandler)
        self.root = Path(root)
        self.requests: list[str] = []
        self.answers: list[tuple[str, int]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class MirrorServer:
    """A mirror server running in a background thread, as a context manager."""

    def __init__(self, root: Path | str, port: int = 0) -> None:
        if not Path(root).is_dir():
            raise FileNotFoundError(f"mirror folder not found: {root}")
        self.httpd = MirrorHTTPServer(Path(root), port)
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="aidaily-mirror", daemon=True)

    @property
    def base_url(self) -> str:
        return self.httpd.base_url

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests

    @property
    def answers(self) -> list[tuple[str, int]]:
        """``(file name, status)`` of every request answered so far, a missing page's as 404."""
        return self.httpd.answers

    def __enter__(self) -> MirrorServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
