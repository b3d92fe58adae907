"""A municipality administrator's list of their staff's registrations across events
(``/workspace/staff``): person, event, date and status, newest first, a page at a time
(events ``GET /municipalities/{id}/registrations`` with the administrator's own token).
Names and e-mail addresses are personal data: the page is never stored (``no-store``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from samling_web.deps import WebDep
from samling_web.models import Upstream
from samling_web.pages.workspace_event import STATUSES
from samling_web.signin_state import SignedInDep
from samling_web.upstream_api import checked
from samling_web.workspace import PRIVATE, administered, as_person

router = APIRouter(prefix="/workspace/staff")
HOME = "/workspace/staff"
SHOWN = 50


class StaffRegistration(Upstream):
    id: str
    event_id: str
    name: str | None = None
    role: str = ""
    status: str
    arrived_at: datetime
    event_title: str
    event_starts_at: datetime
    event_timezone: str


class StaffPage(Upstream):
    items: list[StaffRegistration]
    next_cursor: str | None = None


@router.get("", response_class=HTMLResponse, response_model=None)
async def staff(
    request: Request,
    web: WebDep,
    user: SignedInDep,
    cursor: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    municipality = administered(user)
    params: dict[str, Any] = {"limit": SHOWN, **({"cursor": cursor} if cursor else {})}
    answer = await as_person(
        web, user, "GET", f"/municipalities/{municipality}/registrations", params=params
    )
    if answer.status_code == 400:  # a cursor from an old or edited link: start over
        return RedirectResponse(HOME, status_code=303)
    checked(answer)
    found = StaffPage.model_validate(answer.json())
    return web.pages.render(
        request,
        "workspace/staff.html",
        items=found.items,
        next_cursor=found.next_cursor,
        first=bool(cursor),
        statuses=STATUSES,
        headers=PRIVATE,
    )
