"""HTTP routes for registrations: register, see, cancel, accept an offer (the participant's own
routes are in :mod:`.self_service`)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from samling_runtime.auth import CurrentPrincipal, Principal, Role, require_role
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.inputs import page_limit
from samling_runtime.pagination import Page
from samling_runtime.problems import Problem, not_found
from samling_runtime.service import Runtime

from samling_events.adapters.api.deps import (
    DesksDep,
    RuntimeDep,
    SettingsDep,
    StoresDep,
    errors,
    may_see,
    organises,
    visible_event,
)
from samling_events.adapters.api.registration_views import (
    RegistrationView,
    views,
)
from samling_events.adapters.api.tokens import manage_url
from samling_events.adapters.store.stores import Stores
from samling_events.desk import AlreadyRegistered, Arrival, Desks
from samling_events.domain import registrations as domain
from samling_events.domain.events import Event
from samling_events.domain.registrations import (
    Applicant,
    Registration,
    RegistrationStatus,
    normalise_email,
)
from samling_events.settings import EventsSettings
from samling_events.use_cases import registration_changes

router = APIRouter(tags=["registrations"])


class CancelBody(BaseModel):
    reason: str | None = Field(None, max_length=1000, examples=["Blitt syk"])


def participant_secret(settings: EventsSettings) -> str:
    return settings.participant_secret.get_secret_value()


def caller_participant(principal: Principal, settings: EventsSettings) -> str | None:
    if principal.email is None:
        return None
    return domain.participant_id_for(principal.email, participant_secret(settings).encode())


async def _registrable(event_id: str, principal: CurrentPrincipal, desks: DesksDep) -> Event:
    require_role(principal, Role.PARTICIPANT, Role.MUNICIPALITY_ADMIN, Role.COORDINATOR, Role.WEB)
    event = await desks.recent_event(event_id)
    if event is None or not may_see(principal, event):
        raise not_found("Event")
    return event


RegistrableEvent = Annotated[Event, Depends(_registrable)]
"""The path's event, when the caller has a role that may register someone for it."""


@router.post(
    "/events/{event_id}/registrations",
    status_code=201,
    response_model=RegistrationView,
    responses=errors(403, 404, 409),
    summary="Register for an event",
)
async def register(
    event_id: str,
    body: Applicant,
    event: RegistrableEvent,
    principal: CurrentPrincipal,
    stores: StoresDep,
    desks: DesksDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Take a seat, or a place on the waiting list when the event is full.

    Participants register themselves; a municipality's administrator registers its own staff;
    coordinators register anyone; the public web app (role `web`) registers people without an
    account, who take their municipality's member seat or contingent only with an address in
    one of its e-mail domains, and otherwise hold the seat `pending_approval` until the
    municipality approves (RegistrationAwaitingApproval tells its contact persons). Only
    members of the event's network take seats unless the event is open to all. Send an
    `Idempotency-Key` so a double click registers once."""
    return await register_as(
        principal, event, body, idempotency_key, stores, desks, runtime, settings
    )


async def register_as(
    principal: Principal,
    event: Event,
    body: Applicant,
    idempotency_key: str | None,
    stores: Stores,
    desks: Desks,
    runtime: Runtime,
    settings: EventsSettings,
) -> JSONResponse:
    """One registration by ``principal``, as the route above and the batch route answer it."""
    email = normalise_email(str(body.email))
    vouched = (
        principal.is_coordinator_of(event.region_id)
        or principal.is_admin_of(body.municipality_id)
        or (principal.has(Role.PARTICIPANT) and normalise_email(principal.email or "") == email)
    )
    if not (vouched or principal.has(Role.WEB)):
        raise Problem(
            403,
            "You can register yourself (with the e-mail you signed in with), or, as a "
            "municipality's administrator, your own municipality's staff.",
            kind="forbidden",
        )

    async def operation() -> tuple[int, RegistrationView]:
        registration, position = await _register(
            stores, desks, settings, event, body, email, anonymous=not vouched
        )
        return 201, RegistrationView(
            **registration.model_dump(), name=body.name, email=email, waiting_position=position
        )

    return await runtime.idempotency.run(
        scope=f"registrations:{event.id}", key=idempotency_key, body=body, operation=operation
    )


async def _register(
    stores: Stores,
    desks: Desks,
    settings: EventsSettings,
    event: Event,
    body: Applicant,
    email: str,
    *,
    anonymous: bool,
) -> tuple[Registration, int | None]:
    """The registration and, when waitlisted, its place in line."""
    if not event.open_for_registration():
        raise Problem(409, "Registration for this event is not open.", kind="conflict")
    member = await stores.is_member(event.network_id, body.municipality_id)
    if not member and not event.open_to_all:
        raise Problem(
            403,
            "Only municipalities in this event's network can register, and this event is not "
            "open to others.",
            kind="not-a-member",
        )
    answers = domain.check_answers(event.questions, body.answers)
    unverified = anonymous and domain.claim_needs_approval(
        member=member,
        email=email,
        email_domains=await stores.email_domains(body.municipality_id),
    )
    participant_id = domain.participant_id_for(email, participant_secret(settings).encode())
    registration_id = domain.registration_id_for(event.id, participant_id)
    link = manage_url(settings.app_url, participant_id, participant_secret(settings))
    desk = await desks.desk(event.id)
    arrived_at, seq = desk.next_arrival()
    arrival = Arrival(
        registration=Registration(
            id=registration_id,
            event_id=event.id,
            participant_id=participant_id,
            municipality_id=body.municipality_id,
            role=body.role.strip(),
            language=body.language,
            answers=answers,
            member=member,
            unverified_claim=unverified,
            status=RegistrationStatus.WAITLISTED,
            arrived_at=arrived_at,
            arrival_seq=seq,
        ),
        contact={
            "_id": participant_id,
            "name": body.name.strip(),
            "email": email,
            "language": body.language.value,
            "municipality_id": body.municipality_id,
        },
        contact_fact=domain.contact_fact(participant_id, body, link),
    )
    try:
        return await desks.register(desk, arrival), arrival.position
    except AlreadyRegistered as exc:
        raise Problem(
            409,
            "This person is already registered for this event.",
            kind="already-registered",
            registration_id=exc.registration_id,
        ) from exc


@router.get(
    "/events/{event_id}/registrations",
    response_model=Page[RegistrationView],
    responses=errors(403, 404),
    summary="List an event's registrations",
)
async def list_registrations(
    event_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    status: RegistrationStatus | None = Query(None, description="Only this status."),
    municipality_id: str | None = Query(None, description="Only this municipality."),
    cursor: str | None = Query(None),
    limit: int = page_limit(100, maximum=500),
) -> Page[RegistrationView]:
    """In arrival order (the waiting list's order). Coordinators see all; a municipality's
    administrator sees their own municipality's."""
    event = await visible_event(stores, principal, event_id)
    if not principal.is_coordinator_of(event.region_id):
        if not principal.has(Role.MUNICIPALITY_ADMIN) or not principal.municipality_id:
            raise Problem(403, "Only organisers can list registrations.", kind="forbidden")
        municipality_id = principal.municipality_id
    queries = stores.registration_queries
    page, roster = await asyncio.gather(
        queries.at_event(event_id, municipality_id, status, cursor, limit),
        queries.roster_lines(event_id, municipality_id),
    )
    return Page[RegistrationView](
        items=await views(stores, page.items, roster), next_cursor=page.next_cursor
    )


async def _owned(
    stores: Stores,
    principal: Principal,
    settings: EventsSettings,
    event_id: str,
    registration_id: str,
) -> tuple[Event, Registration, Literal["participant", "organiser"]]:
    event = await visible_event(stores, principal, event_id)
    found = await stores.registrations.get(registration_id)
    if found is None or found.state.event_id != event_id:
        raise not_found("Registration")
    reg = found.state
    if organises(principal, event, reg.municipality_id):
        return event, reg, "organiser"
    if caller_participant(principal, settings) == reg.participant_id:
        return event, reg, "participant"
    raise not_found("Registration")


@router.get(
    "/events/{event_id}/registrations/{registration_id}",
    response_model=RegistrationView,
    responses=errors(404),
    summary="One registration",
)
async def get_registration(
    event_id: str,
    registration_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    settings: SettingsDep,
) -> RegistrationView:
    """For the participant, their municipality's administrator and the coordinators."""
    _, reg, _ = await _owned(stores, principal, settings, event_id, registration_id)
    return (await views(stores, [reg]))[0]


async def cancel_registration_as(
    stores: Stores,
    desks: Desks,
    now_event: tuple[Any, Event],
    reg: Registration,
    by: Literal["participant", "organiser", "system"],
) -> Registration:
    now, event = now_event
    return await registration_changes.cancel(stores.registrations, desks, now, event, reg, by)


@router.post(
    "/events/{event_id}/registrations/{registration_id}/cancel",
    response_model=RegistrationView,
    responses=errors(404, 409),
    summary="Cancel a registration",
)
async def cancel_registration(
    event_id: str,
    registration_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    desks: DesksDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> RegistrationView:
    """Participants cancel until the event's cancellation deadline; organisers any time.
    A freed seat goes to the next on the waiting list at once."""
    event, reg, by = await _owned(stores, principal, settings, event_id, registration_id)
    cancelled = await cancel_registration_as(stores, desks, (runtime.clock.now(), event), reg, by)
    return (await views(stores, [cancelled]))[0]


@router.post(
    "/events/{event_id}/registrations/{registration_id}/accept",
    response_model=RegistrationView,
    responses=errors(404, 409),
    summary="Accept an offered seat",
)
async def accept_offer(
    event_id: str,
    registration_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> RegistrationView:
    """Take the seat offered from the waiting list before the offer expires."""
    event, reg, _ = await _owned(stores, principal, settings, event_id, registration_id)
    return await accept_as(stores, runtime.clock.now(), event, reg)


async def accept_as(
    stores: Stores, now: datetime, event: Event, reg: Registration
) -> RegistrationView:
    accepted = await registration_changes.accept_offer(stores.registrations, now, event, reg)
    return (await views(stores, [accepted]))[0]


class MunicipalityCount(BaseModel):
    municipality_id: str
    registered: int = Field(description="Registrations that held a seat.")
    attended: int


@router.get(
    "/events/{event_id}/attendance",
    response_model=list[MunicipalityCount],
    responses=errors(403, 404),
    summary="Attendance per municipality",
)
async def attendance_counts(
    event_id: str, principal: CurrentPrincipal, stores: StoresDep
) -> list[MunicipalityCount]:
    """Counts survive anonymisation: they come from the registrations, not the people."""
    event = await visible_event(stores, principal, event_id)
    if not principal.is_coordinator_of(event.region_id):
        raise Problem(403, "Only the region's coordinators see attendance.", kind="forbidden")
    counts: dict[str, list[int]] = {}
    for line in await stores.registration_queries.attendance_lines(event_id):
        c = counts.setdefault(line.municipality_id, [0, 0])
        c[0] += 1
        c[1] += 1 if line.attended else 0
    return [
        MunicipalityCount(municipality_id=m, registered=r, attended=a)
        for m, (r, a) in sorted(counts.items())
    ]
