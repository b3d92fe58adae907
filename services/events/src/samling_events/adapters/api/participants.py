"""Erasure on request: a participant's personal data goes, and other services are told."""

from __future__ import annotations

from fastapi import APIRouter
from samling_runtime.auth import CurrentPrincipal, Role, require_role

from samling_events.adapters.api.deps import RuntimeDep, SettingsDep, StoresDep, errors
from samling_events.adapters.api.tokens import participant_from_token
from samling_events.adapters.store.erasure import erase_participant

router = APIRouter(tags=["participants"])


@router.post(
    "/participants/{participant_id}/erasure",
    status_code=204,
    responses=errors(403),
    summary="Erase a participant (on their request)",
)
async def erase(
    participant_id: str, principal: CurrentPrincipal, stores: StoresDep, runtime: RuntimeDep
) -> None:
    """Deletes the name and e-mail, anonymises the registrations (keeping municipality and
    attendance for the counts) and publishes ParticipantErased for other services to honour."""
    require_role(principal, Role.COORDINATOR)
    await erase_participant(stores, participant_id, runtime.clock.now())


@router.delete(
    "/manage/{token}",
    status_code=204,
    responses=errors(404),
    tags=["self-service"],
    summary="Forget me (private link)",
)
async def forget_me(
    token: str, stores: StoresDep, runtime: RuntimeDep, settings: SettingsDep
) -> None:
    participant_id = participant_from_token(token, settings.participant_secret.get_secret_value())
    await erase_participant(stores, participant_id, runtime.clock.now())
