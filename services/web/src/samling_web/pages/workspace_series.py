"""Recurring meetings for a region's coordinators (``/workspace/series``): plan a series with
a simple "every second Tuesday" form (an RRULE underneath, as the events API takes it), see
its meetings together, and publish, move or cancel them as a whole or one at a time.

The events API plans a series (``POST /series``) and reads it (``GET /series/{id}``); each
meeting of it is an event of its own, with its own registrations, calendar entry and facts.
Publishing, moving or cancelling the whole series is therefore that step for each coming
meeting in turn, through the same per-event operations a single meeting uses, so each
meeting's registrations are told as they would be for that meeting alone. A meeting the API
refuses (already held, already cancelled) is left as it was, and the page says so.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, Web, WebDep
from samling_web.formatting import local
from samling_web.forms import long_text
from samling_web.i18n import N_
from samling_web.models import Event, EventPage, Upstream
from samling_web.security import check_csrf
from samling_web.series_form import (
    INTERVALS,
    Typed,
    read_day,
    read_series,
    read_times,
    typed,
)
from samling_web.signin_state import SignedIn, SignedInDep
from samling_web.vocabulary import EVENT_KINDS
from samling_web.workspace import PRIVATE, as_person, coordinated, read

router = APIRouter(prefix="/workspace/series")
HOME = "/workspace/series"
NOTICE = "series_notice"
LISTED = 200
REASON_MAX = 1000
EVENT_STATUSES = {
    "draft": N_("Draft"),
    "published": N_("Published"),
    "registration_closed": N_("Registration closed"),
    # Not "Cancelled": that message id is a registration's (the person withdrew).
    "cancelled": N_("Event cancelled"),
    "completed": N_("Held"),
}
ENDED = frozenset({"cancelled", "completed"})

PLANNED = N_("The meetings are planned as drafts. Publish them when they are ready.")
PUBLISHED = N_("Published: registration is open.")
MOVED = N_("Moved: those registered are told the new time.")
CANCELLED = N_("Cancelled: those registered are told.")
SOME_LEFT = N_(
    "Some meetings were left as they were: they had been held, cancelled or already "
    "published in the meantime."
)
REFUSED = N_("The events service did not accept the series. Its answer:")
NOT_MOVED = N_("That meeting could not be moved: it has been held or cancelled.")
REASON_TOO_LONG = N_("Use 1000 characters or fewer")


class SeriesView(Upstream):
    """A series and its meetings by start (events ``GET /series/{id}``)."""

    series_id: str
    events: list[Event]


def _coming(series: SeriesView, now: datetime) -> list[Event]:
    """The meetings not begun and not ended: those a change to the whole series touches."""
    return [e for e in series.events if e.starts_at > now and e.status not in ENDED]


async def _series(web: Web, user: SignedIn, series_id: str) -> SeriesView:
    coordinated(user)
    return await read(web, user, SeriesView, f"/series/{series_id}")


def _chosen(series: SeriesView, occurrence: str) -> Event:
    """One meeting of the series (a form naming a meeting of another series finds none)."""
    for event in series.events:
        if event.id == occurrence:
            return event
    raise HTTPException(404)


def _back(series_id: str, event_id: str = "") -> str:
    return f"{HOME}/{series_id}" + (f"#m-{event_id}" if event_id else "")


# -- the region's series and a new one ---------------------------------------------------------
@router.get("", response_class=HTMLResponse)
async def all_series(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    region = coordinated(user)
    params: dict[str, Any] = {
        "region_id": region,
        "starts_after": (web.clock.now() - timedelta(hours=12)).isoformat(),
        "limit": LISTED,
    }
    page = await read(web, user, EventPage, "/events", params=params)
    by_series: dict[str, list[Event]] = defaultdict(list)
    for event in page.items:
        if event.series_id:
            by_series[event.series_id].append(event)
    return web.pages.render(
        request,
        "workspace/series_list.html",
        series=list(by_series.items()),
        statuses=EVENT_STATUSES,
        notice=request.session.pop(NOTICE, None),
        headers=PRIVATE,
    )


def _new_page(
    request: Request,
    web: Web,
    networks: dict[str, str],
    values: Typed,
    errors: dict[str, str],
    *,
    status: int = 200,
    problem: str | None = None,
    detail: str = "",
) -> HTMLResponse:
    return web.pages.render(
        request,
        "workspace/series_new.html",
        status=status,
        values=values,
        errors=errors,
        problem=problem,
        detail=detail,
        networks=networks,
        kinds=EVENT_KINDS,
        intervals=INTERVALS,
        form_key=web.keys.issue("series"),
        headers=PRIVATE,
    )


async def _networks(web: Web, user: SignedIn) -> dict[str, str]:
    return {n.id: n.name for n in await web.services.networks(coordinated(user))}


@router.get("/new", response_class=HTMLResponse)
async def new_series(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    networks = await _networks(web, user)
    values = typed({"kind": "network_meeting", "interval": "2", "capacity": "30"})
    return _new_page(request, web, networks, values, {})


@router.post("/new", response_model=None)
async def plan_series(request: Request, web: WebDep, user: SignedInDep) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    networks = await _networks(web, user)
    today = local(web.clock.now(), "Europe/Oslo").date()
    values, body, errors = read_series({k: str(v) for k, v in form.items()}, networks.keys(), today)
    if body is None:
        return _new_page(request, web, networks, values, errors, status=400)
    key = web.keys.key(str(form.get("form_key", "")), "series")
    headers = {"Idempotency-Key": key} if key else {}
    answer = await as_person(web, user, "POST", "/series", json=body, headers=headers)
    if answer.status_code >= 400:
        # The API's own check (say, an archived network): its words, beside the form.
        detail = str(answer.json().get("detail", ""))[:300]
        return _new_page(request, web, networks, values, {}, status=400, problem=REFUSED,
                         detail=detail)  # fmt: skip
    request.session[NOTICE] = {"text": PLANNED, "ok": True}
    return RedirectResponse(_back(answer.json()["series_id"]), status_code=303)


# -- one series --------------------------------------------------------------------------------
def _series_page(
    request: Request,
    web: Web,
    series: SeriesView,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: Typed | None = None,
    open_id: str = "",
    problem: str | None = None,
) -> HTMLResponse:
    now = web.clock.now()
    coming = _coming(series, now)
    # Each meeting's move form starts from its own date and times; what was typed wins.
    shown = {name: value for e in coming for name, value in _when(e).items()}
    shown |= {k: v for k, v in (values.values if values else {}).items() if v}
    return web.pages.render(
        request,
        "workspace/series.html",
        status=status,
        series=series,
        title=(coming or series.events)[0].title,
        coming_ids={e.id for e in coming},
        drafts=[e for e in coming if e.status == "draft"],
        statuses=EVENT_STATUSES,
        errors=errors or {},
        values=Typed(shown),
        open_id=open_id,
        problem=problem,
        notice=request.session.pop(NOTICE, None),
        headers=PRIVATE,
    )


def _when(event: Event) -> dict[str, str]:
    starts, ends = local(event.starts_at, event.timezone), local(event.ends_at, event.timezone)
    return {
        f"date-{event.id}": starts.date().isoformat(),
        f"starts-{event.id}": f"{starts:%H:%M}",
        f"ends-{event.id}": f"{ends:%H:%M}",
    }


@router.get("/{series_id}", response_class=HTMLResponse)
async def one_series(
    request: Request, series_id: IdPath, web: WebDep, user: SignedInDep
) -> HTMLResponse:
    return _series_page(request, web, await _series(web, user, series_id))


async def _each(
    web: Web, user: SignedIn, events: list[Event], step: str, body: dict[str, Any] | None = None
) -> bool:
    """The step for each meeting in turn; whether the API took it for every one."""
    taken = True
    for event in events:
        answer = await as_person(web, user, "POST", f"/events/{event.id}/{step}", json=body)
        taken = taken and answer.status_code < 400
    return taken


def _told(request: Request, done: str, everything: bool) -> None:
    request.session[NOTICE] = {"text": done if everything else SOME_LEFT, "ok": everything}


@router.post("/{series_id}/publish", response_model=None)
async def publish(request: Request, series_id: IdPath, web: WebDep, user: SignedInDep) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    series = await _series(web, user, series_id)
    occurrence = str(form.get("occurrence") or "")
    drafts = [e for e in _coming(series, web.clock.now()) if e.status == "draft"]
    chosen = [_chosen(series, occurrence)] if occurrence else drafts
    _told(request, PUBLISHED, await _each(web, user, chosen, "publish"))
    return RedirectResponse(_back(series_id, occurrence), status_code=303)


@router.post("/{series_id}/reschedule", response_model=None)
async def reschedule(
    request: Request, series_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    """One meeting to another day and time, or every coming meeting to another time of day
    (each on its own date)."""
    form = await request.form()
    check_csrf(request.session, form)
    series = await _series(web, user, series_id)
    occurrence = str(form.get("occurrence") or "")
    if occurrence:
        return await _move_one(request, web, user, series, _chosen(series, occurrence), form)
    values = typed(form, ("all_starts", "all_ends"))
    coming = _coming(series, web.clock.now())
    moves: list[tuple[Event, datetime, datetime]] = []
    for event in coming:
        day = local(event.starts_at, event.timezone).date()
        fields = ("all_starts", "all_ends")
        times, errors = read_times(day, values.all_starts, values.all_ends, fields, event.timezone)
        if errors:
            return _series_page(request, web, series, status=400, errors=errors, values=values)
        assert times is not None
        moves.append((event, *times))
    everything = True
    for event, starts, ends in moves:
        body = {"starts_at": starts.isoformat(), "ends_at": ends.isoformat()}
        answer = await as_person(web, user, "POST", f"/events/{event.id}/reschedule", json=body)
        everything = everything and answer.status_code < 400
    _told(request, MOVED, everything)
    return RedirectResponse(_back(series_id), status_code=303)


async def _move_one(
    request: Request, web: Web, user: SignedIn, series: SeriesView, event: Event, form: Any
) -> Response:
    names = (f"date-{event.id}", f"starts-{event.id}", f"ends-{event.id}")
    values = typed(form, names)
    today = local(web.clock.now(), event.timezone).date()
    day, errors = read_day(values.values[names[0]], names[0], today)
    times, wrong = read_times(
        day, values.values[names[1]], values.values[names[2]], names[1:], event.timezone
    )
    errors |= wrong
    if errors or times is None:
        return _series_page(
            request, web, series, status=400, errors=errors, values=values, open_id=event.id
        )
    body = {"starts_at": times[0].isoformat(), "ends_at": times[1].isoformat()}
    answer = await as_person(web, user, "POST", f"/events/{event.id}/reschedule", json=body)
    if answer.status_code >= 400:
        return _series_page(
            request, web, series, status=409, values=values, open_id=event.id, problem=NOT_MOVED
        )
    request.session[NOTICE] = {"text": MOVED, "ok": True}
    return RedirectResponse(_back(series.series_id, event.id), status_code=303)


# -- cancelling: a confirmation page first -----------------------------------------------------
def _cancel_page(
    request: Request,
    web: Web,
    series: SeriesView,
    occurrence: str,
    reason: str = "",
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    chosen = [_chosen(series, occurrence)] if occurrence else _coming(series, web.clock.now())
    return web.pages.render(
        request,
        "workspace/series_cancel.html",
        status=400 if errors else 200,
        series=series,
        chosen=chosen,
        occurrence=occurrence,
        reason=reason,
        errors=errors or {},
        problem=None,
        action=f"{HOME}/{series.series_id}/cancel"
        + (f"?{urlencode({'occurrence': occurrence})}" if occurrence else ""),
        headers=PRIVATE,
    )


@router.get("/{series_id}/cancel", response_class=HTMLResponse)
async def confirm_cancel(
    request: Request, series_id: IdPath, web: WebDep, user: SignedInDep, occurrence: str = ""
) -> HTMLResponse:
    return _cancel_page(request, web, await _series(web, user, series_id), occurrence)


@router.post("/{series_id}/cancel", response_model=None)
async def cancel(
    request: Request, series_id: IdPath, web: WebDep, user: SignedInDep, occurrence: str = ""
) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    series = await _series(web, user, series_id)
    reason = str(form.get("reason") or "").strip()
    if message := long_text(reason, REASON_MAX, REASON_TOO_LONG):
        return _cancel_page(request, web, series, occurrence, reason, {"reason": message})
    chosen = [_chosen(series, occurrence)] if occurrence else _coming(series, web.clock.now())
    body = {"reason": reason or None}
    _told(request, CANCELLED, await _each(web, user, chosen, "cancel", body))
    return RedirectResponse(_back(series_id, occurrence), status_code=303)
