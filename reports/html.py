"""A self-contained HTML page of a report document; every text run and attribute is escaped."""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from reports.blocks import (
    Block,
    Bold,
    Code,
    Document,
    FrontMatter,
    Heading,
    Inline,
    Italic,
    ItemList,
    Line,
    Link,
    Paragraph,
    Quote,
    Rule,
    Table,
    Text,
    plain,
)

_STYLE = """
body{max-width:46rem;margin:2rem auto;padding:0 1rem;font:16px/1.7 -apple-system,"PingFang SC","Noto Sans CJK SC",
"Microsoft YaHei",sans-serif;color:#1f2328;background:#fff}
h1{font-size:1.7rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}h2{font-size:1.35rem;margin-top:2rem}
h3{font-size:1.1rem}a{color:#0969da}table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #d0d7de;padding:.3rem .7rem;text-align:left}th{background:#f6f8fa}
blockquote{margin:0;padding:0 1rem;color:#59636e;border-left:.25rem solid #d0d7de}
hr{border:0;border-top:1px solid #d0d7de;margin:2rem 0}ul.dot{list-style:"• "}
header .llm{color:#59636e;margin:.2rem 0 1rem}nav.toc{background:#f6f8fa;border:1px solid #d0d7de;padding:.5rem 1rem}
nav.toc ol{margin:.3rem 0;padding-left:1.4rem}nav.toc li.sub{margin-left:1.2rem;list-style:circle}
"""


# Defence in depth: even if markup slipped through, the page could run no script and load nothing.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https:"


def _href(url: str) -> str | None:
    """The URL if it is a plain web link; anything else (javascript:, data:) is not linked."""
    return url if urlsplit(url).scheme in {"http", "https"} else None


def inline(part: Inline) -> str:
    if isinstance(part, Text):
        return escape(part.text)
    if isinstance(part, Bold):
        return f"<strong>{escape(part.text)}</strong>"
    if isinstance(part, Italic):
        return f"<em>{escape(part.text)}</em>"
    if isinstance(part, Code):
        return f"<code>{escape(part.text)}</code>"
    if isinstance(part, Link):
        href = _href(part.url)
        if href is None:
            return escape(part.text)
        return f'<a href="{escape(href, quote=True)}" rel="noopener noreferrer">{escape(part.text)}</a>'
    raise TypeError(part)


def render_line(parts: Line) -> str:
    return "".join(inline(p) for p in parts)


def _block(block: Block, anchor: str | None = None) -> str:
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 6)
        ident = f' id="{anchor}"' if anchor else ""
        if level == 1:  # the page's only <h1> is the report's name; a style's own title is a headline
            return f'<h2 class="headline"{ident}>{render_line(block.line)}</h2>'
        return f"<h{level}{ident}>{render_line(block.line)}</h{level}>"
    if isinstance(block, Paragraph):
        return f"<p>{render_line(block.line)}</p>"
    if isinstance(block, Quote):
        return f"<blockquote><p>{render_line(block.line)}</p></blockquote>"
    if isinstance(block, ItemList):
        tag = "ol" if block.ordered else "ul"
        cls = ' class="dot"' if block.marker == "•" else ""
        items = "".join(f"<li>{render_line(item)}</li>" for item in block.items)
        return f"<{tag}{cls}>{items}</{tag}>"
    if isinstance(block, Table):
        head = "".join(f"<th>{escape(h)}</th>" for h in block.header)
        rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in block.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    if isinstance(block, Rule):
        return "<hr>"
    if isinstance(block, FrontMatter):
        return ""  # front matter is for static-site generators; the page shows the same title as its heading
    raise TypeError(block)


def _header(name: str, llm: str, toc: list[tuple[str, Heading]]) -> str:
    """The page's own heading: the report's name and day, who wrote the text, and a table of contents."""
    parts = [f"<h1>{escape(name)}</h1>"]
    if llm:
        parts.append(f'<p class="llm">{escape(llm)}</p>')
    if toc:
        top = min(h.level for _, h in toc)
        sub = ' class="sub"'
        items = "".join(
            f'<li{sub if h.level > top else ""}><a href="#{a}">{escape(plain(h.line))}</a></li>' for a, h in toc
        )
        parts.append(f'<nav class="toc" aria-label="目录"><strong>目录</strong><ol>{items}</ol></nav>')
    return "<header>" + "".join(parts) + "</header>"


def render_html(document: Document) -> str:
    """The document as one HTML page with inline CSS and no scripts or external resources.

    Its ``<title>`` and ``<h1>`` are the report's name and day; the heading of the document that
    repeats them is not shown twice. Sections are listed in a table of contents.
    """
    name = document.name or document.title
    blocks = list(document.blocks)
    repeated = next((i for i, b in enumerate(blocks) if isinstance(b, Heading) and plain(b.line) == name), None)
    if repeated is not None:
        del blocks[repeated]
    rendered: list[str] = []
    toc: list[tuple[str, Heading]] = []
    for block in blocks:
        anchor = None
        if isinstance(block, Heading) and block.level > 1 and block.in_toc:
            anchor = f"s{len(toc) + 1}"
            toc.append((anchor, block))
        rendered.append(_block(block, anchor))
    body = "\n".join([_header(name, document.llm, toc), *(b for b in rendered if b)])
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        f"<title>{escape(name)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
