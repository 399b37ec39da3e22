"""The report styles and output formats, by name: what the command line offers before anything heavy loads."""

from __future__ import annotations

from typing import Literal

Style = Literal["tracker", "insight", "digest"]
Format = Literal["md", "html"]
STYLES: tuple[Style, ...] = ("tracker", "insight", "digest")
FORMATS: tuple[Format, ...] = ("md", "html")
