"""The one identifier scheme of every service: prefixed by what it names, sortable by creation
time, unguessable. Pure (no I/O), so domains mint ids with it too."""

import secrets
import time


def new_id(prefix: str) -> str:
    """``<prefix>_<ms since epoch, 12 hex digits><10 random hex digits>``, e.g.
    ``evt_019a2b3c4d5e8f1e2d3c4b``: ids made later sort after earlier ones, as text."""
    return f"{prefix}_{time.time_ns() // 1_000_000:012x}{secrets.token_hex(5)}"
