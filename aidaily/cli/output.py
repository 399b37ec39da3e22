"""``--out`` files: a path that cannot be written is one ``Error:`` line, never an OSError traceback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import click


def cannot_write(path: Path, exc: OSError) -> click.ClickException:
    """The one-line error for ``path``: which folder is missing or is a file, or the system's reason."""
    blocked = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        why = f"{blocked} is a file, not a folder"
    elif not path.parent.exists():
        why = f"no folder {path.parent}"
    else:
        why = exc.strerror or str(exc)
    return click.ClickException(f"cannot write {path}: {why}")


@contextlib.contextmanager
def writable(path: Path) -> Iterator[None]:
    """Turn an OSError raised while opening or writing ``path`` into :func:`cannot_write`'s line."""
    try:
        yield
    except OSError as exc:
        raise cannot_write(path, exc) from exc
