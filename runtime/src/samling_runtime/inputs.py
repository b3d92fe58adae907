"""What every service accepts from a caller: bounded pages, plain text, known fields only.

Routes and request models use these instead of bare ``int``/``str``/``BaseModel`` so the same
limits hold in every service and show in every OpenAPI document.
"""

from __future__ import annotations

from fastapi import Query
from samling_kernel.bodies import RequestBody
from samling_kernel.text import MultiLine, SingleLine

__all__ = ["MAX_PAGE", "MultiLine", "RequestBody", "SingleLine", "page_limit"]

MAX_PAGE = 200


def page_limit(default: int = 50, maximum: int = MAX_PAGE) -> int:
    """A ``limit`` query parameter bounded to 1..maximum (``limit: int = page_limit()``)."""
    result: int = Query(
        default, ge=1, le=maximum, description=f"How many items a page holds (1 to {maximum})."
    )
    return result
