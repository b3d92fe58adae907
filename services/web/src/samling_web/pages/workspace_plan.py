"""One event's planning page (``/workspace/planning/{event_id}``): its time, details and agenda
(a dialogue conference's parts, with its pre-work and follow-up work), the conflict warnings
(same network, same venue), and publishing.

The warnings are read again on every showing of the page, so they appear on the draft and
right after each save. With JavaScript, htmx asks ``…/conflicts`` as the coordinator changes
the date, the times or the venue, before anything is saved; without it, saving shows them.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from samling_web.agenda_form import Details, Item, agenda_of, details_of, read_agenda
from samling_web.deps import IdPath, Web, WebDep
from samling_web.i18n import N_
from samling_web.models import AssignmentProgress, Event
from samling_web.planning import (
    HOME,
    NOTICE,
    conflicts,
    done,
    planned,
    refusal_errors,
    send,
)
from samling_web.planning_form import Times
from samling_web.security import check_csrf
from samling_web.signin_state import SignedIn, SignedInDep
from samling_web.upstream_api import Refused
from samling_web.vocabulary import EVENT_KINDS
from samling_web.workspace import PRIVATE, as_person

router = APIRouter(prefix=HOME + "/{event_id}")
DETAILS_SAVED = N_("The details of “%(title)s” are saved.")
AGENDA_SAVED = N_("The agenda of “%(title)s” is saved.")
PUBLISHED = N_("“%(title)s” is published: it is on the calendar and open for registration.")
CHANGEABLE = ("draft", "published", "registration_closed")
STATUSES = {
    "draft": N_("Draft"),
    "published": N_("Published"),
    "registration_closed": N_("Registration closed"),
    "completed": N_("Held"),
    "cancelled": N_("Cancelled"),
}
DETAIL_FIELDS = ("title", "venue", "online_url", "capacity", "description")
Typed = Annotated[str, Query(max_length=500)]


async def _assignments(web: Web, user: SignedIn, event_id: str) -> list[AssignmentProgress]:
    response = await as_person(web, user, "GET", f"/events/{event_id}/assignments")
    if response.status_code != 200:  # no pre-work is no reason not to show the page
        return []
    return [AssignmentProgress.model_validate(item) for item in response.json()]


async def page(
    request: Request,
    web: Web,
    user: SignedIn,
    event_id: str,
    *,
    details: Details | None = None,
    agenda: list[Item] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status: int | None = None,
) -> HTMLResponse:
    """The planning page; a form sent back with errors shows what was typed in that form
    (answered 422 then, unless ``status`` says otherwise)."""
    event, raw = await planned(web, user, event_id)
    warnings, assignments = await asyncio.gather(
        conflicts(web, user, event), _assignments(web, user, event_id)
    )
    return web.pages.render(
        request,
        "workspace/planning/event.html",
        status=status or (422 if errors or problem else 200),
        event=event,
        details=details or Details.of(raw),
        agenda=agenda if agenda is not None else agenda_of(raw),
        new_day=Times.of(event.starts_at, event.ends_at, event.timezone).starts_on,
        times=Times.of(event.starts_at, event.ends_at, event.timezone),
        warnings=warnings,
        assignments=assignments,
        kinds=EVENT_KINDS,
        statuses=STATUSES,
        changeable=event.status in CHANGEABLE,
        errors=errors or {},
        problem=problem,
        notice=request.session.pop(NOTICE, None),
        headers=PRIVATE,
    )


@router.get("", response_class=HTMLResponse)
async def planning_page(
    request: Request, event_id: IdPath, web: WebDep, user: SignedInDep
) -> HTMLResponse:
    return await page(request, web, user, event_id)


@router.get("/conflicts", response_class=HTMLResponse)
async def typed_conflicts(
    request: Request,
    event_id: IdPath,
    web: WebDep,
    user: SignedInDep,
    starts_on: Typed = "",
    starts_time: Typed = "",
    ends_on: Typed = "",
    ends_time: Typed = "",
    venue: Typed = "",
) -> HTMLResponse:
    """The warnings for what is being typed (htmx swaps them into the page)."""
    event, _ = await planned(web, user, event_id)
    proposed: dict[str, str] = {"venue": venue.strip()} if venue.strip() else {}
    typed = Times(starts_on, starts_time, ends_on, ends_time, event.timezone)
    if typed.start() is not None and typed.end() is not None:
        proposed.update(typed.payload())
    return web.pages.render(
        request,
        "workspace/planning/_conflicts.html",
        event=event,
        warnings=await conflicts(web, user, event, proposed),
        headers=PRIVATE,
    )


async def _change(
    web: Web, user: SignedIn, event: Event, raw: dict[str, Any], body: dict[str, Any]
) -> None:
    await send(web, user, "PUT", f"/events/{event.id}/details", json={**details_of(raw), **body})


@router.post("/details", response_model=None)
async def save_details(
    request: Request, event_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    event, raw = await planned(web, user, event_id)
    details = Details.read(form)
    errors = details.check()
    if not errors:
        try:
            await _change(web, user, event, raw, details.payload(raw))
        except Refused as refused:
            errors, problem = refusal_errors(refused, DETAIL_FIELDS)
            return await page(
                request, web, user, event_id, details=details, errors=errors, problem=problem
            )
        return done(request, DETAILS_SAVED, details.title, event_id)
    return await page(request, web, user, event_id, details=details, errors=errors, status=422)


@router.post("/agenda", response_model=None)
async def save_agenda(
    request: Request, event_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    event, raw = await planned(web, user, event_id)
    agenda, errors = read_agenda(form, event.timezone)
    if not errors:
        body = {"agenda": [item.payload(event.timezone) for item in agenda]}
        try:
            await _change(web, user, event, raw, body)
        except Refused as refused:
            errors, problem = refusal_errors(refused, ())
            return await page(
                request, web, user, event_id, agenda=agenda, problem=problem, status=422
            )
        return done(request, AGENDA_SAVED, event.title, event_id)
    return await page(request, web, user, event_id, agenda=agenda, errors=errors, status=422)


@router.post("/publish", response_model=None)
async def publish(request: Request, event_id: IdPath, web: WebDep, user: SignedInDep) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    event, _ = await planned(web, user, event_id)
    try:
        await send(web, user, "POST", f"/events/{event_id}/publish")
    except Refused as refused:
        _, problem = refusal_errors(refused, ())
        return await page(request, web, user, event_id, problem=problem, status=409)
    web.services.forget_event(event_id)
    return done(request, PUBLISHED, event.title, event_id)
