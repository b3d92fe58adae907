"""A signed-in participant's registrations (``/me/registrations``), found by the events API
from the e-mail address in her token.

Each links to the pages behind her private link (``/r/{token}``: cancel, accept, follow-up,
evaluation) and to its transfer plan (``/r/{token}/transfer/{registration_id}``): the events
API gives her link's token with the list, since the registrations and the link are hers. Only
the participant role has registrations here; anyone else signed in gets the 403 page.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from samling_web.deps import WebDep
from samling_web.models import SignedInRegistrations
from samling_web.security import PRIVATE_LINK
from samling_web.signin_state import NotAllowed, SignedInDep, has_registrations
from samling_web.workspace import read

router = APIRouter()


@router.get("/me/registrations", response_class=HTMLResponse, summary="My registrations")
async def my_registrations(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    if not has_registrations(user):
        raise NotAllowed
    found = await read(web, user, SignedInRegistrations, "/me/registrations")
    token = found.manage_token
    events, offers = await asyncio.gather(
        asyncio.gather(*(web.services.event(r.event_id) for r in found.registrations)),
        web.services.my_transfer_offers(token),
    )
    rows = [(r, e) for r, e in zip(found.registrations, events, strict=True) if e is not None]
    return web.pages.render(
        request,
        "my_registrations.html",
        headers=PRIVATE_LINK,
        rows=sorted(rows, key=lambda row: row[1].starts_at),
        token=token,
        transfer={offer.registration_id: offer for offer in offers},
    )
