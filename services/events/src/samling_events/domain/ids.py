"""Identifiers: prefixed by what they name, sortable by creation time, unguessable."""

import secrets
import time


def new_id(prefix: str) -> str:
    return f"{prefix}_{time.time_ns() // 1_000_000:012x}{secrets.token_hex(5)}"
