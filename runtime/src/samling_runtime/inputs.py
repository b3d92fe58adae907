"""What every service accepts from a caller: bounded pages, plain text, known fields only.

Routes and request models use these instead of bare ``int``/``str``/``BaseModel`` so the same
limits hold in every service and show in every OpenAPI document.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, BaseModel, ConfigDict

MAX_PAGE = 200


def page_limit(default: int = 50, maximum: int = MAX_PAGE) -> int:
    """A ``limit`` query parameter bounded to 1..maximum (``limit: int = page_limit()``)."""
    result: int = Query(
        default, ge=1, le=maximum, description=f"How many items a page holds (1 to {maximum})."
    )
    return result


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


class RequestBody(BaseModel):
    """A request body that refuses unknown fields, so a typo is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")
