"""A municipality approves or declines a registration waiting for it, over the in-memory store
(who may decide is the route's check; these are the decision's own rules)."""

from __future__ import annotations

import pytest
from samling_contracts.events import (
    RegistrationApproved,
    RegistrationConfirmed,
    RegistrationDecisionNoted,
    RegistrationDeclined,
)
from samling_events.domain.registrations import Registration, RegistrationStatus
from samling_events.use_cases import registration_changes
from samling_kernel.decisions import Refusal, Refused

from .desk_world import DeskWorld

PENDING = RegistrationStatus.PENDING_APPROVAL


async def approve(world: DeskWorld, reg: Registration, note: str | None = None) -> Registration:
    return await registration_changes.approve(
        world.stores.registrations, await world.current(reg), note
    )


async def decline(world: DeskWorld, reg: Registration, note: str | None = None) -> Registration:
    return await registration_changes.decline(
        world.stores.registrations, world.desks, await world.current(reg), note
    )


async def test_approving_confirms_the_seat_held_and_passes_the_note_to_the_participant(
    world: DeskWorld,
) -> None:
    event = await world.event(capacity=1, requires_approval=True)
    ada, _ = await world.register(event, "Ada")
    assert (ada.status, ada.seat_no) == (PENDING, 1)

    approved = await approve(world, ada, "Avklart med rektor: velkommen!")

    assert (approved.status, approved.seat_no) == (RegistrationStatus.CONFIRMED, 1)
    assert approved.decision_note == "Avklart med rektor: velkommen!"
    assert await world.seats(event) == {1: ada.id}
    facts = await world.facts(world.stores.registrations, ada.id)
    approval = facts[-3:]
    assert [type(f) for f in approval] == [
        RegistrationApproved,
        RegistrationConfirmed,
        RegistrationDecisionNoted,
    ]
    noted = approval[-1]
    assert isinstance(noted, RegistrationDecisionNoted)
    assert (noted.decision, noted.participant_id) == ("approved", ada.participant_id)


async def test_an_approval_without_a_note_tells_no_note(world: DeskWorld) -> None:
    event = await world.event(requires_approval=True)
    ada, _ = await world.register(event, "Ada")
    await approve(world, ada)
    facts = await world.facts(world.stores.registrations, ada.id)
    assert not any(isinstance(f, RegistrationDecisionNoted) for f in facts)
    assert sum(isinstance(f, RegistrationApproved) for f in facts) == 1


async def test_approving_twice_changes_nothing(world: DeskWorld) -> None:
    event = await world.event(requires_approval=True)
    ada, _ = await world.register(event, "Ada")
    first = await approve(world, ada, "Velkommen")
    again = await approve(world, ada, "Et annet notat")
    assert again == first
    facts = await world.facts(world.stores.registrations, ada.id)
    assert sum(isinstance(f, RegistrationApproved) for f in facts) == 1


async def test_only_a_registration_waiting_for_approval_can_be_approved(
    world: DeskWorld,
) -> None:
    event = await world.event(capacity=1, requires_approval=True)
    (ada, _), (bo, _) = [await world.register(event, n) for n in ("Ada", "Bo")]
    assert bo.status is RegistrationStatus.WAITLISTED
    with pytest.raises(Refused, match="waiting for approval") as refused:
        await approve(world, bo)
    assert refused.value.kind is Refusal.CONFLICT

    await decline(world, ada, "Ikke denne gangen")
    with pytest.raises(Refused, match="waiting for approval"):
        await approve(world, ada)
    assert (await world.current(ada)).status is RegistrationStatus.DECLINED


async def test_a_confirmed_registration_cannot_be_declined(world: DeskWorld) -> None:
    event = await world.event(requires_approval=True)
    ada, _ = await world.register(event, "Ada")
    await approve(world, ada)
    with pytest.raises(Refused, match="waiting for approval"):
        await decline(world, ada)
    assert await world.statuses(ada) == [RegistrationStatus.CONFIRMED]
    assert await world.seats(event) == {1: ada.id}


async def test_declining_twice_tells_the_participant_once(world: DeskWorld) -> None:
    event = await world.event(requires_approval=True)
    ada, _ = await world.register(event, "Ada")
    await decline(world, ada)
    await decline(world, ada)
    facts = await world.facts(world.stores.registrations, ada.id)
    assert sum(isinstance(f, RegistrationDeclined) for f in facts) == 1
    assert await world.seats(event) == {}
