"""Dependencies shared by the routes: stores, desks, settings, and who may do what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel
from samling_runtime.auth import Principal, Role
from samling_runtime.problems import Problem, ProblemDetails, not_found
from samling_runtime.service import Runtime, current_runtime, runtime_of
from samling_runtime.store import Change

from samling_events.adapters.store.desk import Desks
from samling_events.adapters.store.stores import Stores
from samling_events.domain.events import Event, EventStatus, RuleBroken
from samling_events.settings import EventsSettings

S = TypeVar("S", bound=BaseModel)


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {
        code: {"model": ProblemDetails, "content": {"application/problem+json": {}}}
        for code in (401, 422, *codes)
    }


async def _stores(request: Request) -> Stores:
    found: Stores = runtime_of(request).state["stores"]
    return found


async def _desks(request: Request) -> Desks:
    found: Desks = runtime_of(request).state["desks"]
    return found


async def _settings(request: Request) -> EventsSettings:
    settings = runtime_of(request).settings
    assert isinstance(settings, EventsSettings)
    return settings


StoresDep = Annotated[Stores, Depends(_stores)]
DesksDep = Annotated[Desks, Depends(_desks)]
RuntimeDep = Annotated[Runtime, Depends(current_runtime)]
SettingsDep = Annotated[EventsSettings, Depends(_settings)]


def rule(exc: RuleBroken) -> Problem:
    kinds = {404: "not-found", 403: "forbidden", 409: "conflict", 422: "validation"}
    return Problem(exc.status, str(exc), kind=kinds.get(exc.status, "conflict"))


def decided(decide: Callable[[S], Change[S] | None]) -> Callable[[S], Change[S] | None]:
    """Domain refusals inside an update become problem details."""

    def run(state: S) -> Change[S] | None:
        try:
            return decide(state)
        except RuleBroken as exc:
            raise rule(exc) from exc

    return run


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


def organises(principal: Principal, event: Event, municipality_id: str) -> bool:
    """Coordinators of the event's region and the admin of the participant's municipality."""
    return principal.is_coordinator_of(event.region_id) or principal.is_admin_of(municipality_id)


def forbid_roles(principal: Principal, *roles: Role) -> None:
    if principal.has(*roles) and not principal.has(*(set(Role) - set(roles))):
        raise Problem(403, "Your role cannot do this.", kind="forbidden")
