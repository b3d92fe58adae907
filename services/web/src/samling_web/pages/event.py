"""The event page with its registration form, the registration itself, and the answer page.

The form is a plain POST (it works without JavaScript) and follows POST-redirect-GET: the
answer page is a GET that can be reloaded. The Idempotency-Key inside the form was made when
the form was rendered, so a double click, a reload of the POST or back-and-submit sends the
same key and the events API registers once.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, Web, WebDep
from samling_web.forms import (
    ALREADY_REGISTERED,
    FIELDS,
    NOT_A_MEMBER,
    answer_field,
    read_answers,
    read_registration,
)
from samling_web.i18n import N_
from samling_web.models import Event, Municipality
from samling_web.rendering import reader_language
from samling_web.security import check_csrf
from samling_web.upstream_api import Refused

router = APIRouter()
KEY_FIELD = "form_key"
OUTCOMES = "outcomes"
KEPT_OUTCOMES = 5  # the session cookie stays small

CLOSED = N_("Registration for this event is closed.")
FORM_USED = N_("This form was already sent. Open the event page again to register someone else.")
NOT_ACCEPTED = N_(
    "The registration was not accepted. Check your answers, or ask the organiser for help."
)
TRY_AGAIN = N_("Someone else registered at the same moment. Please send the form again.")


async def _published(web: Web, event_id: str, *, for_form: bool = False) -> Event:
    read = web.services.event_for_form if for_form else web.services.event
    event = await read(event_id)
    if event is None:
        raise HTTPException(404)
    return event


async def _page(
    request: Request,
    web: Web,
    event: Event,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    form_key: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    # What the page needs besides the event, asked for at once (each is usually kept already).
    network, region, municipalities, prework = await asyncio.gather(
        web.services.network_of(event.network_id) if event.network_id else _nothing(),
        web.services.region(event.region_id),
        _choices(web, event) if event.open_for_registration else _no_choices(),
        web.services.prework(event),
    )
    return web.pages.render(
        request,
        "event.html",
        status=status,
        event=event,
        network=network,
        region=region,
        municipalities=municipalities,
        prework=prework,
        values=values or dict.fromkeys(FIELDS, ""),
        errors=errors or {},
        labels={answer_field(q): q.label for q in event.questions},
        problem=problem,
        form_key=form_key or web.keys.issue(f"register:{event.id}"),
        key_field=KEY_FIELD,
    )


async def _nothing() -> None:
    return None


async def _no_choices() -> list[Municipality]:
    return []


async def _choices(web: Web, event: Event) -> list[Municipality]:
    """The municipalities the form offers: those the events API says may register, or, from
    an events API that does not say, every municipality of the region (it refuses the rest)."""
    everyone, eligible = await asyncio.gather(
        web.services.municipalities(event.region_id), web.services.eligible_municipalities(event)
    )
    return everyone if eligible is None else [m for m in everyone if m.id in eligible]


@router.get("/events/{event_id}", response_class=HTMLResponse, summary="An event")
async def event_page(request: Request, event_id: IdPath, web: WebDep) -> HTMLResponse:
    return await _page(request, web, await _published(web, event_id))


@router.get("/events/{event_id}/calendar.ics", summary="Add the event to a calendar")
async def event_calendar(event_id: IdPath, web: WebDep) -> Response:
    ics = await web.services.event_ics(event_id)
    if ics is None:
        raise HTTPException(404)
    return Response(
        ics,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event_id}.ics"'},
    )


def _too_many(request: Request, web: Web, event_id: str) -> HTMLResponse | None:
    """The 429 page when this client has sent too many forms, saying when to try again."""
    client = request.client.host if request.client else "unknown"
    wait = web.register_limit.take(client, web.clock.now().timestamp())
    if not wait:
        return None
    return web.pages.render(
        request,
        "too_many.html",
        status=429,
        headers={"Retry-After": str(wait), "Cache-Control": "no-store"},
        minutes=math.ceil(wait / 60),
        back=f"/events/{event_id}",
    )


@router.post("/events/{event_id}/register", summary="Send the registration form")
async def register(request: Request, event_id: IdPath, web: WebDep) -> Response:
    if slow_down := _too_many(request, web, event_id):
        return slow_down
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    check_csrf(request.session, form)
    event = await _published(web, event_id, for_form=True)
    signed_key = form.get(KEY_FIELD, "")
    key = web.keys.key(signed_key, f"register:{event.id}")
    if key is None:
        return await _page(request, web, event, problem=FORM_USED, status=400)
    region = {m.id for m in await web.services.municipalities(event.region_id)}
    applicant, errors = read_registration(form, region)
    answers, wrong_answers = read_answers(form, event.questions)
    typed = {**applicant.as_dict(), **{answer_field(q): form.get(answer_field(q), "").strip()
                                        for q in event.questions}}  # fmt: skip
    again: dict[str, Any] = {"values": typed, "form_key": signed_key}
    if "municipality_id" not in errors:
        eligible = await web.services.eligible_municipalities(event)
        if eligible is not None and applicant.municipality_id not in eligible:
            errors["municipality_id"] = NOT_A_MEMBER
            if not wrong_answers and len(errors) == 1:
                # The events API's own answer to this one (403), whichever side said it.
                return await _page(request, web, event, errors=errors, status=403, **again)
    errors = {**errors, **wrong_answers}  # the questions follow the person's own fields
    if errors:
        return await _page(request, web, event, errors=errors, status=422, **again)
    if not event.open_for_registration:
        return await _page(request, web, event, problem=CLOSED, status=409, **again)
    body = {**applicant.as_dict(), "language": reader_language(request), "answers": answers}
    try:
        registration = await web.services.register(event, body, key)
    except Refused as refused:
        problem, errors = _explain(refused)
        fresh = refused.kind in ("idempotency-retry", "idempotency-in-progress")
        if refused.kind == "idempotency-key-reused":
            problem = FORM_USED
        return await _page(
            request,
            web,
            event,
            errors=errors,
            problem=problem,
            status=refused.status,
            values=typed,
            form_key=None if fresh else signed_key,
        )
    web.services.forget_event(event.id)
    position = registration.waiting_position
    outcomes: dict[str, Any] = dict(request.session.get(OUTCOMES) or {})
    outcomes.pop(event.id, None)
    outcomes[event.id] = {"status": registration.status, "position": position}
    request.session[OUTCOMES] = dict(list(outcomes.items())[-KEPT_OUTCOMES:])
    return RedirectResponse(f"/events/{event.id}/registered", status_code=303)


def _explain(refused: Refused) -> tuple[str | None, dict[str, str]]:
    """A refusal from the events API as a message next to the field it concerns."""
    if refused.kind == "not-a-member":
        return None, {"municipality_id": NOT_A_MEMBER}
    if refused.kind == "already-registered":
        return None, {"email": ALREADY_REGISTERED}
    if refused.kind == "write-conflict":
        return TRY_AGAIN, {}
    if refused.kind == "conflict":
        return CLOSED, {}
    return NOT_ACCEPTED, {}


@router.get("/events/{event_id}/registered", response_class=HTMLResponse, summary="The answer")
async def registered(request: Request, event_id: IdPath, web: WebDep) -> Response:
    outcome = (request.session.get(OUTCOMES) or {}).get(event_id)
    if outcome is None:
        return RedirectResponse(f"/events/{event_id}", status_code=303)
    event = await _published(web, event_id)
    return web.pages.render(request, "registered.html", event=event, outcome=outcome)
