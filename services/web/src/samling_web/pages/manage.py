"""My registration: the private link in every mail to a participant (``/r/{token}``).

The token is the events API's signed self-service token; it is the only personal thing ever in
a URL here, so these pages are never cached and never sent as a referrer. Accepting an offer
and cancelling are plain form POSTs (CSRF-protected); cancelling asks first on a page of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, TokenPath, Web, WebDep
from samling_web.i18n import N_
from samling_web.models import Event, MyFollowUp, Registration
from samling_web.security import PRIVATE_LINK, check_csrf
from samling_web.upstream_api import Refused

router = APIRouter()
NOTICE = "notice"

CANCELLED = N_("Your registration is cancelled.")
ACCEPTED = N_("You took the seat. Welcome!")
NOT_DONE = N_("That could not be done: the deadline may have passed. Ask the organiser.")


@dataclass(frozen=True)
class Mine:
    registration: Registration
    event: Event
    position: int | None
    followup: MyFollowUp | None = None

    @property
    def active(self) -> bool:
        return self.registration.status in (
            "confirmed",
            "pending_approval",
            "offered",
            "waitlisted",
        )


async def mine_of(web: Web, token: str) -> list[Mine]:
    """The link holder's registrations with their events; a seat's assignments and group."""
    found = await web.services.my_registrations(token)
    if found is None:
        raise HTTPException(404)
    mine = []
    for registration in found.registrations:
        event = await web.services.event(registration.event_id)
        if event is None:
            continue
        followup = (
            await web.services.my_followup(token, registration.id)
            if registration.status == "confirmed"
            else None
        )
        mine.append(Mine(registration, event, registration.waiting_position, followup))
    return mine


@router.get("/r/{token}", response_class=HTMLResponse, summary="My registrations")
async def my_registrations(request: Request, token: TokenPath, web: WebDep) -> HTMLResponse:
    notice = request.session.pop(NOTICE, None)
    return web.pages.render(
        request,
        "manage.html",
        headers=PRIVATE_LINK,
        token=token,
        mine=await mine_of(web, token),
        transfer={o.registration_id: o for o in await web.services.my_transfer_offers(token)},
        notice=notice,
        now=web.clock.now(),
        feed=web.settings.public_url.rstrip("/").split("://", 1)[-1],
    )


async def _one(web: Web, token: str, registration_id: str) -> Mine:
    for item in await mine_of(web, token):
        if item.registration.id == registration_id:
            return item
    raise HTTPException(404)


@router.get(
    "/r/{token}/cancel/{registration_id}",
    response_class=HTMLResponse,
    summary="Confirm cancelling",
)
async def confirm_cancel(
    request: Request, token: TokenPath, registration_id: IdPath, web: WebDep
) -> HTMLResponse:
    item = await _one(web, token, registration_id)
    return web.pages.render(request, "cancel.html", headers=PRIVATE_LINK, token=token, item=item)


async def act(request: Request, token: str, done: str, action: Awaitable[object]) -> Response:
    """Do it, then back to my registrations with what happened (POST-redirect-GET)."""
    try:
        await action
        request.session[NOTICE] = done
    except Refused as refused:
        if refused.status == 404:
            raise HTTPException(404) from refused
        request.session[NOTICE] = NOT_DONE
    return RedirectResponse(f"/r/{token}", status_code=303, headers=PRIVATE_LINK)


@router.post("/r/{token}/cancel/{registration_id}", summary="Cancel")
async def cancel(
    request: Request, token: TokenPath, registration_id: IdPath, web: WebDep
) -> Response:
    check_csrf(request.session, await request.form())
    return await act(request, token, CANCELLED, web.services.cancel_mine(token, registration_id))


@router.post("/r/{token}/accept/{registration_id}", summary="Accept an offered seat")
async def accept(
    request: Request, token: TokenPath, registration_id: IdPath, web: WebDep
) -> Response:
    check_csrf(request.session, await request.form())
    return await act(request, token, ACCEPTED, web.services.accept_offer(token, registration_id))
