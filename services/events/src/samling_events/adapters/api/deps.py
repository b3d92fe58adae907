"""Dependencies shared by the routes: stores, desks, settings, and who may do what.

Who may do what is decided in dependencies (``Coordinator``, ``ManagedEvent``,
``LinkedRegistration``) rather than in route bodies: FastAPI solves dependencies before it
validates the request body, so a caller without the right gets 401/403/404 and learns nothing
from validation messages about a body they may not send.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel
from samling_runtime.auth import CurrentPrincipal, Principal, Role, require_role
from samling_runtime.problems import Problem, ProblemDetails, not_found
from samling_runtime.service import Runtime, current_runtime

from samling_events.adapters.api.tokens import participant_from_token
from samling_events.adapters.store.stores import Stores
from samling_events.container import started_in
from samling_events.desk import Desks
from samling_events.domain.events import Event, EventStatus
from samling_events.domain.registrations import Registration
from samling_events.settings import EventsSettings

S = TypeVar("S", bound=BaseModel)


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {
        code: {"model": ProblemDetails, "content": {"application/problem+json": {}}}
        for code in (401, 422, *codes)
    }


async def _stores(request: Request) -> Stores:
    return started_in(request.app).get().stores


async def _desks(request: Request) -> Desks:
    return started_in(request.app).get().desks


async def _settings(request: Request) -> EventsSettings:
    return started_in(request.app).get().settings


StoresDep = Annotated[Stores, Depends(_stores)]
DesksDep = Annotated[Desks, Depends(_desks)]
RuntimeDep = Annotated[Runtime, Depends(current_runtime)]
SettingsDep = Annotated[EventsSettings, Depends(_settings)]


def may_see(principal: Principal, event: Event) -> bool:
    return event.status != EventStatus.DRAFT or principal.is_coordinator_of(event.region_id)


async def visible_event(stores: Stores, principal: Principal, event_id: str) -> Event:
    found = await stores.events.get(event_id)
    if found is None or not may_see(principal, found.state):
        raise not_found("Event")
    return found.state


async def managed_event(stores: Stores, principal: Principal, event_id: str) -> Event:
    """The event, if the caller coordinates its region (404 when they may not even see it)."""
    event = await visible_event(stores, principal, event_id)
    if not principal.is_coordinator_of(event.region_id):
        raise Problem(
            403, "Only the region's coordinators can manage this event.", kind="forbidden"
        )
    return event


async def _coordinator(principal: CurrentPrincipal) -> Principal:
    require_role(principal, Role.COORDINATOR)
    return principal


Coordinator = Annotated[Principal, Depends(_coordinator)]
"""The caller, who must be a coordinator (of any region: the route decides which)."""


async def _managed(event_id: str, principal: CurrentPrincipal, stores: StoresDep) -> Event:
    return await managed_event(stores, principal, event_id)


ManagedEvent = Annotated[Event, Depends(_managed)]
"""The path's event, when the caller coordinates its region (else 403, or 404 for a draft)."""


async def linked_registration(
    stores: Stores, settings: EventsSettings, token: str, registration_id: str
) -> Registration:
    """The registration, when the private link names its participant (else 404)."""
    participant_id = participant_from_token(token, settings.participant_secret.get_secret_value())
    found = await stores.registrations.get(registration_id)
    if found is None or found.state.participant_id != participant_id:
        raise not_found("Registration")
    return found.state


async def _linked(
    token: str, registration_id: str, stores: StoresDep, settings: SettingsDep
) -> Registration:
    return await linked_registration(stores, settings, token, registration_id)


LinkedRegistration = Annotated[Registration, Depends(_linked)]
"""The path's registration, when the path's private link belongs to its participant."""


def organises(principal: Principal, event: Event, municipality_id: str) -> bool:
    """Coordinators of the event's region and the admin of the participant's municipality."""
    return principal.is_coordinator_of(event.region_id) or principal.is_admin_of(municipality_id)


def forbid_roles(principal: Principal, *roles: Role) -> None:
    if principal.has(*roles) and not principal.has(*(set(Role) - set(roles))):
        raise Problem(403, "Your role cannot do this.", kind="forbidden")


async def registration_at(stores: Stores, event_id: str, registration_id: str) -> Registration:
    """The registration of this event, or 404 (also for one of another event)."""
    found = await stores.registrations.get(registration_id)
    if found is None or found.state.event_id != event_id:
        raise not_found("Registration")
    return found.state
