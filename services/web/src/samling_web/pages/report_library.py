"""The report library (``/reports``): find experience reports by word, network, learning
arena, level, municipality and language (issue #13, "for everyone signed in").

A GET form, so it works without JavaScript and a search can be bookmarked. The network API
decides what the reader may see: a signed-in person's search goes with their own token (a
municipality's staff see their networks' and region's reports), anyone else's with the web
app's own credential, which reads public reports only. Only published reports are listed; an
administrator's own drafts live in their workspace.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from samling_contracts.vocabulary import Language

from samling_web.deps import Web, WebDep
from samling_web.i18n import ENDONYMS
from samling_web.report_terms import (
    ARENAS,
    EXTERNAL_ARENAS,
    INTERNAL_ARENAS,
    LEVELS,
    TEMPLATES,
    ReportList,
)
from samling_web.signin_state import SignedIn, SignInRequired, current_user
from samling_web.upstream_api import checked

router = APIRouter()
PAGE_SIZE = 20
Filter = Annotated[str, Query(max_length=100)]


def reading_headers(web: Web, user: SignedIn | None) -> dict[str, str]:
    """The signed-in person's own token, else the web app's (public reports only)."""
    return user.bearer() if user is not None else web.services.tokens.reader()


async def names(web: Web) -> tuple[dict[str, str], dict[str, str]]:
    """The region's networks and municipalities by id (kept by the services cache)."""
    region = web.settings.default_region_id
    networks = {n.id: n.name for n in await web.services.networks(region)}
    municipalities = {m.id: m.name for m in await web.services.municipalities(region)}
    return networks, municipalities


@router.get("/reports", response_class=HTMLResponse, summary="The report library")
async def library(
    request: Request,
    web: WebDep,
    q: Annotated[str, Query(max_length=200)] = "",
    network: Filter = "",
    arena: Filter = "",
    level: Filter = "",
    municipality: Filter = "",
    language: Filter = "",
    cursor: Annotated[str, Query(max_length=500)] = "",
) -> HTMLResponse:
    user = current_user(request)
    networks, municipalities = await names(web)
    # Unknown values are left out rather than refused: a stale bookmark still finds reports.
    chosen = {
        "q": q.strip(),
        "network": network if network in networks else "",
        "arena": arena if arena in ARENAS else "",
        "level": level if level in LEVELS else "",
        "municipality": municipality if municipality in municipalities else "",
        "language": language if language in ENDONYMS else "",
    }
    params: dict[str, Any] = {"status": "published", "limit": PAGE_SIZE}
    for param, key in (
        ("q", "q"),
        ("network_id", "network"),
        ("learning_arena", "arena"),
        ("level", "level"),
        ("municipality_id", "municipality"),
        ("language", "language"),
    ):
        if chosen[key]:
            params[param] = chosen[key]
    if cursor:
        params["cursor"] = cursor
    response = await web.services.network.request(
        "GET", "/reports", params=params, headers=reading_headers(web, user)
    )
    if response.status_code == 401 and user is not None:
        raise SignInRequired
    if response.status_code == 400:  # a cursor that is not one: start again
        params.pop("cursor", None)
        response = await web.services.network.request(
            "GET", "/reports", params=params, headers=reading_headers(web, user)
        )
    checked(response)
    found = ReportList.model_validate(response.json())
    filters = {key: value for key, value in chosen.items() if value}
    return web.pages.render(
        request,
        "reports/library.html",
        headers={"Cache-Control": "no-store"} if user is not None else None,
        reports=found.items,
        next_cursor=found.next_cursor,
        first_page=bool(cursor),
        filters=filters,
        chosen=chosen,
        networks=networks,
        municipalities=municipalities,
        internal_arenas=INTERNAL_ARENAS,
        external_arenas=EXTERNAL_ARENAS,
        arenas=ARENAS,
        levels=LEVELS,
        languages={code.value: ENDONYMS[code.value] for code in Language},
        templates=TEMPLATES,
    )
