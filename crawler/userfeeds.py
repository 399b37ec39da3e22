"""User RSS/Atom sources: the sources file (TOML) that lists the feeds the ``rss`` spider crawls."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.sources import BUILTIN_SOURCES

DEFAULT_MAX_ITEMS = 30
# Ids become stats keys and stored ``source`` values: keep them short and path-safe.
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class SourcesFileError(ValueError):
    """The sources file is not valid; the message names the file and the entry."""


@dataclass(frozen=True)
class FeedSource:
    """One user feed: its source id, display name, feed URL, and how many items to follow."""

    id: str
    name: str
    url: str
    enabled: bool = True
    max_items: int = DEFAULT_MAX_ITEMS


def sources_file_path(configured: str, data_dir: str | Path) -> Path:
    """The sources file: the configured path, else ``<data_dir>/sources.toml``."""
    return Path(configured).expanduser() if configured else Path(data_dir) / "sources.toml"


def load_feeds(path: Path) -> list[FeedSource]:
    """Every ``[[feed]]`` of the sources file, enabled or not; a missing file lists none."""
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SourcesFileError(f"{path}: {exc}") from exc
    entries = data.get("feed", [])
    if not isinstance(entries, list):
        raise SourcesFileError(f"{path}: 'feed' must be an array of tables ([[feed]])")
    feeds = [_feed(entry, f"{path}: feed #{n}") for n, entry in enumerate(entries, 1)]
    seen: set[str] = set()
    for feed in feeds:
        if feed.id in seen:
            raise SourcesFileError(f"{path}: feed id {feed.id!r} is listed twice")
        seen.add(feed.id)
    return feeds


def feed_source_names(feeds: list[FeedSource]) -> dict[str, str]:
    """``SOURCE_NAMES`` entries (id -> display name) for the user feeds."""
    return {feed.id: feed.name for feed in feeds}


def _feed(entry: Any, where: str) -> FeedSource:
    if not isinstance(entry, dict):
        raise SourcesFileError(f"{where}: not a table")
    unknown = set(entry) - {"id", "name", "url", "enabled", "max_items"}
    if unknown:
        raise SourcesFileError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    feed_id, url = entry.get("id"), entry.get("url")
    if not isinstance(feed_id, str) or not _ID.match(feed_id):
        raise SourcesFileError(f"{where}: id must be lowercase letters, digits, '-' or '_' (got {feed_id!r})")
    if feed_id in BUILTIN_SOURCES:
        raise SourcesFileError(f"{where}: id {feed_id!r} is a built-in source")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise SourcesFileError(f"{where} ({feed_id}): url must be an http(s) URL")
    name = entry.get("name", feed_id)
    enabled = entry.get("enabled", True)
    max_items = entry.get("max_items", DEFAULT_MAX_ITEMS)
    if not isinstance(name, str) or not name.strip():
        raise SourcesFileError(f"{where} ({feed_id}): name must be a non-empty string")
    if not isinstance(enabled, bool):
        raise SourcesFileError(f"{where} ({feed_id}): enabled must be true or false")
    if not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1:
        raise SourcesFileError(f"{where} ({feed_id}): max_items must be a positive integer")
    return FeedSource(feed_id, name.strip(), url, enabled, max_items)
