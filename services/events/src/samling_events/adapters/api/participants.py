"""Erasure on request: a participant's personal data goes, and other services are told."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from samling_runtime.auth import CurrentPrincipal, Role, require_role
from samling_runtime.problems import not_found

from samling_events.adapters.api.deps import DesksDep, RuntimeDep, SettingsDep, StoresDep, errors
from samling_events.adapters.api.registrations import cancel_registration_as
from samling_events.adapters.api.tokens import participant_from_token
from samling_events.adapters.store.erasure import erase_participant
from samling_events.adapters.store.stores import Stores
from samling_events.desk import Desks
from samling_events.domain.registrations import ACTIVE, Registration
from samling_events.domain.seating import promotes_waiting_list

router = APIRouter(tags=["participants"])


async def registrations_of(stores: Stores, participant_id: str) -> list[Registration]:
    """The participant's registrations that still name them (erased ones name nobody)."""
    return await stores.registration_queries.naming(participant_id)


async def forget(
    stores: Stores, desks: Desks, participant_id: str, regs: list[Registration], now: datetime
) -> None:
    """Seats at events still to come go to the waiting list, as on a cancellation; then the
    person is erased. Registrations of events that have begun stay as they are, for the counts."""
    for reg in regs:
        if reg.status not in ACTIVE:
            continue
        found = await stores.events.get(reg.event_id)
        if found and promotes_waiting_list(found.state) and now < found.state.starts_at:
            await cancel_registration_as(stores, desks, (now, found.state), reg, "system")
    await erase_participant(stores, participant_id, now)


@router.post(
    "/participants/{participant_id}/erasure",
    status_code=204,
    responses=errors(403, 404),
    summary="Erase a participant (on their request)",
)
async def erase(
    participant_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    desks: DesksDep,
    runtime: RuntimeDep,
) -> None:
    """For coordinators of a region where the participant is registered. Frees their seats at
    events still to come, deletes the name and e-mail, anonymises the registrations (keeping
    municipality and attendance for the counts) and publishes ParticipantErased for other
    services to honour.

    404 when this service holds nothing about the id here: unknown, already erased or
    anonymised, or registered only in other regions (so a coordinator cannot learn whether
    someone is registered elsewhere)."""
    require_role(principal, Role.COORDINATOR)
    regs = await registrations_of(stores, participant_id)
    event_ids = list({r.event_id for r in regs})
    regions = await stores.event_queries.regions_of(event_ids)
    if not any(principal.is_coordinator_of(region) for region in regions):
        raise not_found("Participant")
    await forget(stores, desks, participant_id, regs, runtime.clock.now())


@router.delete(
    "/manage/{token}",
    status_code=204,
    responses=errors(404),
    tags=["self-service"],
    summary="Forget me (private link)",
)
async def forget_me(
    token: str, stores: StoresDep, desks: DesksDep, runtime: RuntimeDep, settings: SettingsDep
) -> None:
    """Everything the coordinator's erasure does, for the person the link was sent to."""
    participant_id = participant_from_token(token, settings.participant_secret.get_secret_value())
    regs = await registrations_of(stores, participant_id)
    await forget(stores, desks, participant_id, regs, runtime.clock.now())
