"""The event calendar of a region: upcoming published events by network, kind of gathering
and municipality, page by page, with links to subscribe to the network's and the
municipality's calendar feeds.

The events API applies every filter (region, network, kind, and the municipality whose people
may register), so a page is one call for a page of events; the next link carries the API's own
cursor, so no event is skipped or shown twice.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, Web, WebDep
from samling_web.models import Event, EventPage, Municipality
from samling_web.upstream_api import Refused
from samling_web.vocabulary import EVENT_KINDS

router = APIRouter()
PER_PAGE = 20
Filter = Annotated[str | None, Query(max_length=100)]
Cursor = Annotated[str | None, Query(max_length=500)]


@router.get("/", response_class=HTMLResponse, summary="The default region's calendar")
async def front_page(
    request: Request,
    web: WebDep,
    network: Filter = None,
    type: Filter = None,
    municipality: Filter = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    return await region_calendar(
        request,
        web.settings.default_region_id,
        web,
        network=network,
        type=type,
        municipality=municipality,
        cursor=cursor,
    )


@router.get("/regions/{region_id}", response_class=HTMLResponse, summary="A region's calendar")
async def region_calendar(
    request: Request,
    region_id: IdPath,
    web: WebDep,
    network: Filter = None,
    type: Filter = None,
    municipality: Filter = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    region, networks, municipalities = await asyncio.gather(
        web.services.region(region_id),
        web.services.networks(region_id),
        web.services.municipalities(region_id),
    )
    if region is None:
        raise HTTPException(404)
    names = {n.id: n.name for n in networks}
    chosen = {
        "network": network if network in names else "",
        "type": type if type in EVENT_KINDS else "",
        "municipality": municipality if municipality in {m.id for m in municipalities} else "",
    }
    events, next_cursor = await _page(web, region_id, chosen, cursor if _plain(cursor) else None)
    filters = {k: v for k, v in chosen.items() if v}
    return web.pages.render(
        request,
        "calendar.html",
        region=region,
        networks=networks,
        network_names=names,
        municipalities=municipalities,
        kinds=EVENT_KINDS,
        chosen=chosen,
        filters=filters,
        events=events,
        next_cursor=next_cursor,
        first_page=cursor is not None,
        base=request.url.path,
        feeds=_feeds(web, chosen, names, municipalities),
    )


async def _page(
    web: Web, region_id: str, chosen: dict[str, str], cursor: str | None
) -> tuple[list[Event], str | None]:
    try:
        page = await _upcoming(web, region_id, chosen, cursor)
    except Refused as refused:
        if refused.status != 400 or cursor is None:
            raise
        page = await _upcoming(web, region_id, chosen, None)  # a stale cursor starts over
    return page.items, page.next_cursor


async def _upcoming(
    web: Web, region_id: str, chosen: dict[str, str], cursor: str | None
) -> EventPage:
    return await web.services.upcoming(
        region_id,
        after=web.clock.now(),
        network_id=chosen["network"] or None,
        kind=chosen["type"] or None,
        municipality_id=chosen["municipality"] or None,
        cursor=cursor,
        limit=PER_PAGE,
    )


def _feeds(
    web: Web, chosen: dict[str, str], names: dict[str, str], municipalities: list[Municipality]
) -> list[tuple[Literal["network", "municipality"], str, str]]:
    """(whose, name, webcal URL) for the chosen network's and municipality's feeds."""
    public = web.settings.public_url.rstrip("/").split("://", 1)[-1]
    found: list[tuple[Literal["network", "municipality"], str, str]] = []
    if chosen["network"]:
        url = f"webcal://{public}/calendars/networks/{chosen['network']}.ics"
        found.append(("network", names[chosen["network"]], url))
    if chosen["municipality"]:
        name = next(m.name for m in municipalities if m.id == chosen["municipality"])
        url = f"webcal://{public}/calendars/municipalities/{chosen['municipality']}.ics"
        found.append(("municipality", name, url))
    return found


@router.get("/calendars/networks/{network_id}.ics", summary="A network's calendar feed")
async def network_feed(network_id: IdPath, web: WebDep) -> Response:
    return _ics(await web.services.feed("networks", network_id))


@router.get(
    "/calendars/municipalities/{municipality_id}.ics", summary="A municipality's calendar feed"
)
async def municipality_feed(municipality_id: IdPath, web: WebDep) -> Response:
    return _ics(await web.services.feed("municipalities", municipality_id))


def _ics(body: bytes) -> Response:
    # Calendar apps poll a subscription: an hour's caching spares the events API.
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


def _plain(cursor: str | None) -> bool:
    # Cursors are the events API's opaque base64url strings; pass on nothing else.
    return cursor is not None and all(c.isalnum() or c in "-_=" for c in cursor)
