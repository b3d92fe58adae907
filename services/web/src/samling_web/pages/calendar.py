"""The event calendar of a region: upcoming published events by network, kind of gathering
and municipality, page by page, with links to subscribe to the network's and the
municipality's calendar feeds.

The events API filters by region and network; the kind and the municipality are filtered here,
reading the API's pages (larger ones then) until one of ours is full, at most ``SCANNED_PAGES``
of them, so a filter that matches little costs a bounded number of calls. The next link then carries a cursor after the
last event shown, in the API's own cursor format, so no event is skipped or shown twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from samling_runtime.pagination import encode_cursor
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, Web, WebDep
from samling_web.models import Event, Municipality
from samling_web.upstreams import Refused
from samling_web.vocabulary import EVENT_KINDS

router = APIRouter()
PER_PAGE = 20
FILTERED_FETCH = 100  # the events API's page size while filtering here
SCANNED_PAGES = 5
Filter = Annotated[str | None, Query(max_length=100)]
Cursor = Annotated[str | None, Query(max_length=500)]
Keep = Callable[[Event], Awaitable[bool]]


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
    region = await web.services.region(region_id)
    if region is None:
        raise HTTPException(404)
    networks = await web.services.networks(region_id)
    municipalities = await web.services.municipalities(region_id)
    names = {n.id: n.name for n in networks}
    chosen = {
        "network": network if network in names else "",
        "type": type if type in EVENT_KINDS else "",
        "municipality": municipality if municipality in {m.id for m in municipalities} else "",
    }
    keep = await _keeping(web, chosen["type"], chosen["municipality"])
    fetch = FILTERED_FETCH if chosen["type"] or chosen["municipality"] else PER_PAGE
    events, next_cursor = await _page(
        web, region_id, chosen["network"] or None, keep, cursor if _plain(cursor) else None, fetch
    )
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


async def _keeping(web: Web, kind: str, municipality_id: str) -> Keep:
    """Which events of the API's pages the chosen kind and municipality keep."""
    networks = await web.services.networks_of(municipality_id) if municipality_id else set()

    async def keep(event: Event) -> bool:
        if kind and event.kind != kind:
            return False
        if not municipality_id:
            return True
        eligible = await web.services.eligible_municipalities(event)
        if eligible is not None:
            return municipality_id in eligible
        # An events API without the eligibility list: its own rule, the network's members,
        # or everyone when the event is open to all.
        return event.open_to_all or event.network_id in networks

    return keep


async def _page(
    web: Web, region_id: str, network_id: str | None, keep: Keep, cursor: str | None, fetch: int
) -> tuple[list[Event], str | None]:
    shown: list[Event] = []
    after = web.clock.now()
    for _ in range(SCANNED_PAGES):
        try:
            page = await web.services.upcoming(
                region_id, after=after, network_id=network_id, cursor=cursor, limit=fetch
            )
        except Refused as refused:
            if refused.status != 400 or cursor is None:  # a stale cursor starts over
                raise
            cursor = None
            continue
        for event in page.items:
            if await keep(event):
                shown.append(event)
                if len(shown) == PER_PAGE:
                    last = page.items[-1]
                    more = event.id != last.id or page.next_cursor is not None
                    return shown, encode_cursor(event.starts_at, event.id) if more else None
        cursor = page.next_cursor
        if cursor is None:
            break
    return shown, cursor


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
