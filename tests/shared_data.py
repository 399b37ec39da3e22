"""Where ``../shared`` is, for the tests that read it, and how they skip when a clone has none.

A user's clone has no ``../shared`` beside it; every test that reads it goes through here, so
it skips with a reason instead of failing with FileNotFoundError.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ``../shared`` (which may not exist)."""
    return SHARED.joinpath(*parts)


def _reason(path: Path) -> str:
    return f"{path} is absent: ../shared (read-only shared data) is not beside this clone"


def needs_shared(*parts: str) -> pytest.MarkDecorator:
    """Skip the test, with the reason, unless ``../shared/<parts>`` exists."""
    path = shared_path(*parts)
    return pytest.mark.skipif(not path.exists(), reason=_reason(path))


def require_shared(*parts: str) -> Path:
    """``../shared/<parts>``, or skip the calling test with the reason."""
    path = shared_path(*parts)
    if not path.exists():
        pytest.skip(_reason(path))
    return path
