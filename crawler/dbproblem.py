"""One line for a database that could not be used: the screen's form of a pymongo error; the log file keeps it all.

pymongo's errors carry the whole topology (``Topology Description: <TopologyDescription id: …>``)
and the configured timeouts, some 600 characters; every command shows the first clause instead.
"""

from __future__ import annotations

import logging

# Where pymongo's message turns from the reason into its diagnostics.
_DIAGNOSTICS = (", Timeout:", ", full error:", " (configured timeouts:")


def database_problem(exc: BaseException) -> str:
    """One line saying why the database could not be used, from a pymongo error (no topology dump, no URI)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for cut in _DIAGNOSTICS:
        text = text.split(cut, 1)[0]
    text = text.removeprefix("cannot open the database: ")
    return text[:200]


def log_in_full(log: logging.Logger | logging.LoggerAdapter[logging.Logger], exc: BaseException) -> None:
    """The whole error, traceback and topology, for the log file (INFO: the screen shows the one line)."""
    log.info("the database error in full: %s", exc, exc_info=exc)
