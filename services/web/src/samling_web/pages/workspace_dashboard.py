"""The coordinator's dashboard (``/workspace/dashboard``): the region's upcoming events with
seats taken of capacity, the waiting list, open offers and pending approvals.

The page shows the figures as read when it was made, so it is whole without JavaScript. With
it, ``static/dashboard.js`` opens ``/workspace/dashboard/stream`` (server-sent events): when a
registration fact about one of the page's events reaches this process (``figures_feed``), the
stream re-reads that event's figures with the coordinator's own token and sends them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from samling_web.deps import Web, WebDep
from samling_web.models import Event, EventPage
from samling_web.signin_state import SignedIn, SignedInDep
from samling_web.workspace import PRIVATE, Figures, coordinated, read

router = APIRouter(prefix="/workspace/dashboard")
LISTED = 50
SHOWN = frozenset({"published", "registration_closed"})
RECONNECT_MS = 5000
TODAY = timedelta(hours=12)
"""Events that began this long ago are still listed: check-in happens after the start."""


async def upcoming(web: Web, user: SignedIn) -> tuple[list[Event], bool]:
    """The region's published events from today on (the coordinator's token also lists
    drafts, which have no registrations yet: left out)."""
    region = coordinated(user)
    params: dict[str, Any] = {
        "region_id": region,
        "starts_after": (web.clock.now() - TODAY).isoformat(),
        "limit": LISTED,
    }
    page = await read(web, user, EventPage, "/events", params=params)
    return [e for e in page.items if e.status in SHOWN], page.next_cursor is not None


async def figures_of(web: Web, user: SignedIn, event_id: str) -> Figures:
    return await read(web, user, Figures, f"/events/{event_id}/figures")


@router.get("", response_class=HTMLResponse)
async def dashboard(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    events, more = await upcoming(web, user)
    figures = await asyncio.gather(*(figures_of(web, user, e.id) for e in events))
    return web.pages.render(
        request,
        "workspace/dashboard.html",
        rows=list(zip(events, figures, strict=True)),
        more=more,
        headers=PRIVATE,
    )


async def _watched(web: WebDep, user: SignedInDep, response: Response) -> tuple[SignedIn, set[str]]:
    # A dependency, so a refusal (403, sign-in) is answered before the stream begins; the
    # stream's headers are set here too (its body runs after they were sent).
    events, _ = await upcoming(web, user)
    # Beside FastAPI's "no-cache": the figures are the coordinator's, kept by no cache.
    response.headers["Cache-Control"] = "no-store"
    return user, {e.id for e in events}


Watched = Annotated[tuple[SignedIn, set[str]], Depends(_watched)]


@router.get("/stream", response_class=EventSourceResponse)
async def stream(web: WebDep, watched: Watched) -> AsyncIterator[ServerSentEvent]:
    """``figures`` events (JSON: the event's figures) for the dashboard's events, as they
    change. The stream ends when the sign-in does; the browser's reconnect then finds the
    sign-in page instead of a stream, and stops."""
    user, event_ids = watched
    async with web.figures.listen() as listener:
        # Sent at once, so the browser (and a test) knows the stream is listening.
        yield ServerSentEvent(comment="listening", retry=RECONNECT_MS)
        while (left := user.expires_at - time.time()) > 0:
            try:
                changed = await asyncio.wait_for(listener.changed(), timeout=left)
            except TimeoutError:
                return
            for event_id in sorted(changed & event_ids):
                response = await web.services.events.request(
                    "GET", f"/events/{event_id}/figures", headers=user.bearer()
                )
                if response.status_code == 401:
                    return
                if response.status_code == 200:
                    yield ServerSentEvent(event="figures", data=response.json())
