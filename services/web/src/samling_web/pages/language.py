"""The language chooser: plain links (no script), the choice kept in a cookie for a year."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import RedirectResponse
from samling_runtime.settings import Environment

from samling_web.deps import WebDep, local_path
from samling_web.i18n import LANGUAGE_COOKIE, LANGUAGES

router = APIRouter()
YEAR = 365 * 24 * 3600


@router.get("/language/{language}", summary="Choose the language")
async def choose(
    language: Annotated[str, Path(pattern="^(" + "|".join(LANGUAGES) + ")$")],
    web: WebDep,
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> RedirectResponse:
    response = RedirectResponse(local_path(next), status_code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=YEAR,
        httponly=True,
        samesite="lax",
        secure=web.settings.environment == Environment.PRODUCTION,
    )
    return response
