"""Check-in at the door (``/workspace/events/{event_id}/check-in``), made for a phone on a
slow connection: a plain GET form searches by name, each person found has one button (a POST
with the form's CSRF token) that records the attendance through the events API, and the page
says how many are checked in. No script, no images: the page is its HTML and the stylesheets
the browser keeps for a year.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from samling_web.deps import IdPath, WebDep
from samling_web.i18n import N_
from samling_web.pages.workspace_event import event_and_registrations
from samling_web.security import check_csrf
from samling_web.signin_state import SignedInDep
from samling_web.workspace import PRIVATE, as_person, coordinated

router = APIRouter(prefix="/workspace/events/{event_id}/check-in")
NOTICE = "checkin_notice"
QUERY_MAX = 100

CHECKED_IN = N_("%(name)s is checked in.")
UNDONE = N_("%(name)s is no longer checked in.")
REFUSED = N_(
    "That did not work: check-in opens two hours before the start, and only people with a "
    "confirmed seat can be checked in."
)


def _back(event_id: str, query: str) -> str:
    found = f"/workspace/events/{event_id}/check-in"
    return f"{found}?{urlencode({'q': query})}" if query else found


@router.get("", response_class=HTMLResponse)
async def check_in_page(
    request: Request, event_id: IdPath, web: WebDep, user: SignedInDep, q: str = ""
) -> HTMLResponse:
    event, found, _ = await event_and_registrations(web, user, event_id)
    confirmed = sorted(
        (r for r in found if r.status == "confirmed"), key=lambda r: (r.name or "").casefold()
    )
    query = q.strip()[:QUERY_MAX]
    words = query.casefold().split()
    shown = [r for r in confirmed if all(w in (r.name or "").casefold() for w in words)]
    return web.pages.render(
        request,
        "workspace/checkin.html",
        event=event,
        people=shown,
        query=query,
        checked_in=sum(1 for r in confirmed if r.attended),
        total=len(confirmed),
        notice=request.session.pop(NOTICE, None),
        headers=PRIVATE,
    )


@router.post("/{registration_id}", response_model=None)
async def check_in(
    request: Request, event_id: IdPath, registration_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    coordinated(user)
    attended = form.get("attended") != "no"
    name = str(form.get("name") or "")[:200]
    response = await as_person(
        web,
        user,
        "POST",
        f"/events/{event_id}/registrations/{registration_id}/attendance",
        json={"attended": attended},
    )
    if response.status_code >= 400:
        request.session[NOTICE] = {"text": REFUSED, "ok": False, "name": name}
    else:
        text = CHECKED_IN if attended else UNDONE
        request.session[NOTICE] = {"text": text, "ok": True, "name": name}
    query = str(form.get("q") or "")[:QUERY_MAX]
    return RedirectResponse(_back(event_id, query), status_code=303)
