"""Moving or cancelling a planned event, with a message to those registered
(``/workspace/planning/{event_id}/reschedule`` and ``…/cancel``).

A draft's time is changed from its planning page through the same form: nobody is registered
yet, so there is no one to tell. Cancelling is a second step (a confirmation page with the
message), since it cannot be undone.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from samling_web.deps import IdPath, Web, WebDep
from samling_web.forms import long_text
from samling_web.i18n import N_
from samling_web.models import Event
from samling_web.planning import HOME, conflicts, done, path, planned, refusal_errors, send
from samling_web.planning_form import MESSAGE_TOO_LONG, Times, text
from samling_web.security import check_csrf
from samling_web.signin_state import SignedIn, SignedInDep
from samling_web.upstream_api import Refused
from samling_web.workspace import PRIVATE

router = APIRouter(prefix=HOME + "/{event_id}")
MOVED = N_("“%(title)s” has a new time. Those registered are told.")
MOVED_DRAFT = N_("The time of “%(title)s” is saved.")
CANCELLED = N_("“%(title)s” is cancelled. Those registered are told.")
TIME_FIELDS = ("starts_on", "starts_time", "ends_on", "ends_time", "message")
ACTIVE = ("draft", "published", "registration_closed")


def _message(form_value: str, errors: dict[str, str]) -> str:
    if message := long_text(form_value, 1000, MESSAGE_TOO_LONG):
        errors["message"] = message
    return form_value


async def _reschedule_page(
    request: Request,
    web: Web,
    user: SignedIn,
    event: Event,
    times: Times,
    message: str = "",
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return web.pages.render(
        request,
        "workspace/planning/reschedule.html",
        status=status,
        event=event,
        times=times,
        message=message,
        warnings=await conflicts(web, user, event),
        errors=errors or {},
        problem=problem,
        headers=PRIVATE,
    )


@router.get("/reschedule", response_class=HTMLResponse, response_model=None)
async def reschedule_form(
    request: Request, event_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    event, _ = await planned(web, user, event_id)
    if event.status not in ACTIVE:  # held or cancelled: nothing to move
        return RedirectResponse(path(event_id), status_code=303)
    times = Times.of(event.starts_at, event.ends_at, event.timezone)
    return await _reschedule_page(request, web, user, event, times)


@router.post("/reschedule", response_model=None)
async def reschedule(
    request: Request, event_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    event, _ = await planned(web, user, event_id)
    times = Times.read(form, event.timezone)
    errors: dict[str, str] = {}
    times.check(errors)
    message = _message(text(form, "message"), errors)
    if not errors:
        body = {**times.payload(), "message": message or None}
        try:
            await send(web, user, "POST", f"/events/{event_id}/reschedule", json=body)
        except Refused as refused:
            errors, problem = refusal_errors(refused, TIME_FIELDS)
            return await _reschedule_page(
                request, web, user, event, times, message, errors, problem, status=422
            )
        web.services.forget_event(event_id)
        moved = MOVED_DRAFT if event.status == "draft" else MOVED
        return done(request, moved, event.title, event_id)
    return await _reschedule_page(request, web, user, event, times, message, errors, status=422)


@router.get("/cancel", response_class=HTMLResponse, response_model=None)
async def confirm_cancel(
    request: Request, event_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    event, _ = await planned(web, user, event_id)
    if event.status not in ACTIVE:
        return RedirectResponse(path(event_id), status_code=303)
    return _cancel_page(request, web, event, "", {})


def _cancel_page(
    request: Request,
    web: Web,
    event: Event,
    message: str,
    errors: dict[str, str],
    problem: str | None = None,
) -> HTMLResponse:
    return web.pages.render(
        request,
        "workspace/planning/cancel.html",
        status=422 if errors or problem else 200,
        event=event,
        message=message,
        errors=errors,
        problem=problem,
        headers=PRIVATE,
    )


@router.post("/cancel", response_model=None)
async def cancel(request: Request, event_id: IdPath, web: WebDep, user: SignedInDep) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    event, _ = await planned(web, user, event_id)
    if event.status == "cancelled":  # a second click
        return RedirectResponse(path(event_id), status_code=303)
    errors: dict[str, str] = {}
    message = _message(text(form, "message"), errors)
    if errors:
        return _cancel_page(request, web, event, message, errors)
    try:
        await send(
            web, user, "POST", f"/events/{event_id}/cancel", json={"reason": message or None}
        )
    except Refused as refused:
        errors, problem = refusal_errors(refused, ("message",))
        return _cancel_page(request, web, event, message, errors, problem)
    web.services.forget_event(event_id)
    return done(request, CANCELLED, event.title, event_id)
