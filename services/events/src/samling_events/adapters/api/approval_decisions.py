"""A municipality's approval or refusal of a registration waiting for it, with a note."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field
from samling_runtime.auth import CurrentPrincipal, Principal
from samling_runtime.inputs import MultiLine, RequestBody
from samling_runtime.problems import not_found

from samling_events.adapters.api.deps import (
    DesksDep,
    StoresDep,
    errors,
    registration_at,
    visible_event,
)
from samling_events.adapters.store.stores import Stores
from samling_events.domain.registrations import Registration
from samling_events.use_cases import registration_changes

router = APIRouter(tags=["follow-up"])


class Decision(RequestBody):
    """The municipality's approval or refusal, with a note for the participant."""

    note: MultiLine | None = Field(
        None, max_length=1000, examples=["Avklart med rektor: velkommen!"]
    )


async def _to_decide(
    stores: Stores, principal: Principal, event_id: str, registration_id: str
) -> Registration:
    """The registration, for an administrator of its municipality only (404 for anyone else:
    they may not know it exists)."""
    await visible_event(stores, principal, event_id)
    reg = await registration_at(stores, event_id, registration_id)
    if not principal.is_admin_of(reg.municipality_id):
        raise not_found("Registration")
    return reg


@router.post(
    "/events/{event_id}/registrations/{registration_id}/approve",
    response_model=Registration,
    responses=errors(403, 404, 409),
    tags=["registrations"],
    summary="Approve (the participant's municipality)",
)
async def approve(
    event_id: str,
    registration_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    body: Decision | None = None,
) -> Registration:
    reg = await _to_decide(stores, principal, event_id, registration_id)
    note = body.note if body else None
    return await registration_changes.approve(stores.registrations, reg, note)


@router.post(
    "/events/{event_id}/registrations/{registration_id}/decline",
    response_model=Registration,
    responses=errors(403, 404, 409),
    tags=["registrations"],
    summary="Decline (the participant's municipality)",
)
async def decline(
    event_id: str,
    registration_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    desks: DesksDep,
    body: Decision | None = None,
) -> Registration:
    """The seat goes to the next on the waiting list; the participant is told (RegistrationDeclined)."""
    reg = await _to_decide(stores, principal, event_id, registration_id)
    note = body.note if body else None
    return await registration_changes.decline(stores.registrations, desks, reg, note)
