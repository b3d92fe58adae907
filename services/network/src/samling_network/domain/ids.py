"""Identifiers: short, sortable-by-time, prefixed by what they name."""

import secrets
import time


def new_id(prefix: str) -> str:
    """``<prefix>_<ms since epoch, base36><random>``: sorts by creation, unguessable."""
    millis = int(time.time() * 1000)
    stamp = _base36(millis).rjust(9, "0")
    return f"{prefix}_{stamp}{secrets.token_hex(5)}"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"
