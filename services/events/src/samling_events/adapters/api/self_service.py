"""The participant's own registrations: through the private link in every mail (no account),
or signed in, found by the e-mail the identity provider vouches for."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from samling_runtime.auth import CurrentPrincipal, Role, require_role
from samling_runtime.problems import Problem, not_found

from samling_events.adapters.api.deps import (
    DesksDep,
    RuntimeDep,
    SettingsDep,
    StoresDep,
    errors,
    linked_registration,
)
from samling_events.adapters.api.registration_views import RegistrationView, views
from samling_events.adapters.api.registrations import (
    accept_as,
    caller_participant,
    cancel_registration_as,
    participant_secret,
)
from samling_events.adapters.api.tokens import manage_token, participant_from_token
from samling_events.adapters.store.stores import Stores
from samling_events.domain.events import Event
from samling_events.domain.registrations import Registration
from samling_events.settings import EventsSettings

router = APIRouter(tags=["registrations"])


class ManageView(BaseModel):
    """What the private link shows: the participant's registrations."""

    participant_id: str
    registrations: list[RegistrationView]


class SignedInView(ManageView):
    """What a signed-in participant sees: her registrations, as the private link shows them."""

    manage_token: str = Field(
        description="Her private link's token: the pages under `/manage/{token}` (cancel, "
        "accept, follow-up, transfer plans) are hers as well, since the e-mail is hers."
    )


@router.get(
    "/manage/{token}",
    response_model=ManageView,
    responses=errors(404),
    tags=["self-service"],
    summary="My registrations (private link)",
)
async def manage(token: str, stores: StoresDep, settings: SettingsDep) -> ManageView:
    """The registrations of the person the private link was sent to."""
    participant_id = participant_from_token(token, participant_secret(settings))
    return ManageView(
        participant_id=participant_id, registrations=await _registrations_of(stores, participant_id)
    )


async def _registrations_of(stores: Stores, participant_id: str) -> list[RegistrationView]:
    """In arrival order. Erased registrations point to nobody (their participant id is gone)."""
    regs = await stores.registration_queries.of_participant(participant_id)
    return await views(stores, [r for r in regs if not r.erased])


@router.get(
    "/me/registrations",
    response_model=SignedInView,
    responses=errors(403),
    tags=["self-service"],
    summary="My registrations (signed in)",
)
async def signed_in_registrations(
    principal: CurrentPrincipal, stores: StoresDep, settings: SettingsDep
) -> SignedInView:
    """The registrations made with the e-mail address in the caller's token (the identity
    provider vouches for it, as registering oneself trusts it): participants only. The
    private link's token comes along for the pages behind it."""
    require_role(principal, Role.PARTICIPANT)
    participant_id = caller_participant(principal, settings)
    if participant_id is None:
        raise Problem(
            403,
            "Your sign-in carries no e-mail address, so your registrations cannot be found.",
            kind="forbidden",
        )
    return SignedInView(
        participant_id=participant_id,
        registrations=await _registrations_of(stores, participant_id),
        manage_token=manage_token(participant_id, participant_secret(settings)),
    )


async def _by_token(
    stores: Stores, settings: EventsSettings, token: str, registration_id: str
) -> tuple[Event, Registration]:
    registration = await linked_registration(stores, settings, token, registration_id)
    event = await stores.events.get(registration.event_id)
    if event is None:
        raise not_found("Event")
    return event.state, registration


@router.post(
    "/manage/{token}/registrations/{registration_id}/cancel",
    response_model=RegistrationView,
    responses=errors(404, 409),
    tags=["self-service"],
    summary="Cancel through the private link",
)
async def manage_cancel(
    token: str,
    registration_id: str,
    stores: StoresDep,
    desks: DesksDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> RegistrationView:
    """Cancel until the event's cancellation deadline."""
    event, reg = await _by_token(stores, settings, token, registration_id)
    cancelled = await cancel_registration_as(
        stores, desks, (runtime.clock.now(), event), reg, "participant"
    )
    return (await views(stores, [cancelled]))[0]


@router.post(
    "/manage/{token}/registrations/{registration_id}/accept",
    response_model=RegistrationView,
    responses=errors(404, 409),
    tags=["self-service"],
    summary="Accept an offered seat through the private link",
)
async def manage_accept(
    token: str,
    registration_id: str,
    stores: StoresDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> RegistrationView:
    event, reg = await _by_token(stores, settings, token, registration_id)
    return await accept_as(stores, runtime.clock.now(), event, reg)
