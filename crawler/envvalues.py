"""Numbers given as environment variables: a bad one is named with its value, never an ``int()`` traceback.

Pure parsing only: ``crawler/settings.py`` stays the one place that reads the environment.
"""

from __future__ import annotations


class BadEnvironmentValue(ValueError):
    """An environment variable whose value is not the number its setting needs."""


def env_int(name: str, raw: str) -> int:
    """``raw`` (the value of environment variable ``name``) as an integer."""
    try:
        return int(raw.strip())
    except ValueError:
        raise BadEnvironmentValue(f"environment variable {name}={raw!r} is not an integer") from None


def env_float(name: str, raw: str) -> float:
    """``raw`` (the value of environment variable ``name``) as a number."""
    try:
        return float(raw.strip())
    except ValueError:
        raise BadEnvironmentValue(f"environment variable {name}={raw!r} is not a number") from None
