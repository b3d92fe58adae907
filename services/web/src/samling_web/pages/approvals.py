"""A municipality administrator's approvals queue (``/workspace/approvals``).

Registrations made through the public form with an address outside the municipality's e-mail
domains hold a seat until the municipality approves. The queue and the decisions go to the
events API with the administrator's own token, so the events service decides who may see and
decide what; the page only refuses those whose token says they administer no municipality.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import EmailStr

from samling_web.deps import IdPath, WebDep
from samling_web.i18n import N_
from samling_web.models import Upstream
from samling_web.security import check_csrf
from samling_web.signin_state import NotAllowed, SignedIn, SignedInDep, SignInRequired
from samling_web.upstream_api import Refused
from samling_web.workspace import PRIVATE

router = APIRouter(prefix="/workspace/approvals")
NOTICE = "approvals_notice"
NOTE_MAX = 1000

APPROVED = N_("Approved: %(name)s now has a seat at %(event)s and is told so.")
DECLINED = N_("Declined: %(name)s is told, and the seat goes to the next in line.")
ALREADY = N_("That registration was already decided, or is no longer waiting.")
TOO_LONG = N_("The note can be at most 1,000 characters.")


class PendingApproval(Upstream):
    id: str
    event_id: str
    name: str | None = None
    email: EmailStr | None = None
    role: str = ""
    arrived_at: datetime
    event_title: str
    event_starts_at: datetime
    event_timezone: str


class Queue(Upstream):
    items: list[PendingApproval]
    next_cursor: str | None = None


def _administered(user: SignedIn) -> str:
    municipality = user.administers()
    if municipality is None:
        raise NotAllowed
    return municipality


@router.get("", response_class=HTMLResponse)
async def queue(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    municipality = _administered(user)
    response = await web.services.events.request(
        "GET", f"/municipalities/{municipality}/approvals", headers=user.bearer()
    )
    if response.status_code == 401:
        raise SignInRequired
    if response.status_code == 403:
        raise NotAllowed
    if response.status_code >= 400:
        raise Refused(response.status_code, {})
    found = Queue.model_validate(response.json())
    notice = request.session.pop(NOTICE, None)
    return web.pages.render(
        request,
        "approvals.html",
        items=found.items,
        more=found.next_cursor is not None,
        notice=notice,
        headers=PRIVATE,
    )


@router.post("/{event_id}/{registration_id}", response_model=None)
async def decide(
    request: Request, event_id: IdPath, registration_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    _administered(user)
    decision = form.get("decision")
    note = str(form.get("note") or "").strip()
    if decision not in ("approve", "decline"):
        return RedirectResponse("/workspace/approvals", status_code=303)
    if len(note) > NOTE_MAX:
        request.session[NOTICE] = {"text": TOO_LONG, "ok": False}
        return RedirectResponse("/workspace/approvals", status_code=303)
    response = await web.services.events.request(
        "POST",
        f"/events/{event_id}/registrations/{registration_id}/{decision}",
        headers=user.bearer(),
        json={"note": note or None},
    )
    if response.status_code == 401:
        raise SignInRequired
    if response.status_code >= 400:
        request.session[NOTICE] = {"text": ALREADY, "ok": False}
        return RedirectResponse("/workspace/approvals", status_code=303)
    name = str(form.get("name") or "")
    event = str(form.get("event") or "")
    text = APPROVED if decision == "approve" else DECLINED
    request.session[NOTICE] = {"text": text, "ok": True, "name": name, "event": event}
    return RedirectResponse("/workspace/approvals", status_code=303)
