"""The event calendar of a region: upcoming published events, by network, page by page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, WebDep

router = APIRouter()
PER_PAGE = 20
NetworkFilter = Annotated[str | None, Query(max_length=100)]
Cursor = Annotated[str | None, Query(max_length=500)]


@router.get("/", response_class=HTMLResponse, summary="The default region's calendar")
async def front_page(
    request: Request, web: WebDep, network: NetworkFilter = None, cursor: Cursor = None
) -> HTMLResponse:
    return await region_calendar(
        request, web.settings.default_region_id, web, network=network, cursor=cursor
    )


@router.get("/regions/{region_id}", response_class=HTMLResponse, summary="A region's calendar")
async def region_calendar(
    request: Request,
    region_id: IdPath,
    web: WebDep,
    network: NetworkFilter = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    region = await web.services.region(region_id)
    if region is None:
        raise HTTPException(404)
    networks = await web.services.networks(region_id)
    names = {n.id: n.name for n in networks}
    chosen = network if network in names else None
    page = await web.services.upcoming(
        region_id,
        after=web.clock.now(),
        network_id=chosen,
        cursor=cursor if cursor and _plain(cursor) else None,
        limit=PER_PAGE,
    )
    return web.pages.render(
        request,
        "calendar.html",
        region=region,
        networks=networks,
        network_names=names,
        chosen=chosen,
        events=page.items,
        next_cursor=page.next_cursor,
        first_page=cursor is not None,
        base=request.url.path,
    )


def _plain(cursor: str) -> bool:
    # Cursors are the events API's opaque base64url strings; pass on nothing else.
    return all(c.isalnum() or c in "-_=" for c in cursor)
