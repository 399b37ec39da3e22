"""The built-in sources: id, display name and home page. User RSS feeds are added from config."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A news source the archive knows by a short id."""

    id: str
    name: str
    homepage: str


BUILTIN_SOURCES: dict[str, Source] = {
    s.id: s
    for s in (
        Source("36kr", "36氪", "https://36kr.com/"),
        Source("ithome", "IT之家", "https://www.ithome.com/"),
        Source("jiqizhixin", "机器之心", "https://www.jiqizhixin.com/"),
        Source("qbitai", "量子位", "https://www.qbitai.com/"),
        Source("oschina", "开源中国", "https://www.oschina.net/news"),
        Source("aibase", "AIbase", "https://news.aibase.com/"),
        Source("aiera", "新智元", "https://mp.weixin.qq.com/"),
    )
}


def source_name(source_id: str, extra: dict[str, str] | None = None) -> str:
    """Display name of a source id; unknown ids are shown as they are."""
    if extra and source_id in extra:
        return extra[source_id]
    known = BUILTIN_SOURCES.get(source_id)
    return known.name if known else source_id
