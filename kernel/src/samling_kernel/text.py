"""Plain text as every service accepts it: no control characters a person cannot type.

Only pydantic, so a domain model can use these types without importing the web framework
(``samling_runtime.inputs`` re-exports them for request models).
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator


def _control_characters(value: str, allowed: frozenset[str]) -> list[str]:
    return [c for c in value if unicodedata.category(c) == "Cc" and c not in allowed]


def _single_line(value: str) -> str:
    if bad := _control_characters(value, frozenset()):
        raise ValueError(
            f"must not contain control characters (found {', '.join(sorted(map(repr, set(bad))))})"
        )
    return value


def _multi_line(value: str) -> str:
    if bad := _control_characters(value, frozenset("\n\r\t")):
        raise ValueError(
            "must not contain control characters other than line breaks and tabs "
            f"(found {', '.join(sorted(map(repr, set(bad))))})"
        )
    return value


SingleLine = Annotated[str, AfterValidator(_single_line)]
"""Names, titles, ids: no control characters at all (NUL, escape, line breaks...)."""

MultiLine = Annotated[str, AfterValidator(_multi_line)]
"""Descriptions and bodies: line breaks and tabs allowed, no other control character."""
