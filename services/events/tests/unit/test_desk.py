"""The registration desk's use cases over the in-memory store: admit, promote, cancel, accept
an offer, decline, and concurrent admits (milliseconds, no server)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from samling_events.desk import AlreadyRegistered
from samling_events.domain.events import Contingent, close_registration
from samling_events.domain.registrations import HOLDS_SEAT, RegistrationStatus
from samling_events.use_cases import registration_changes
from samling_kernel.decisions import Refusal, Refused

from .desk_world import BODO, FAUSKE, NOW, SALTDAL, DeskWorld

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
OFFERED = RegistrationStatus.OFFERED


async def test_a_full_event_puts_people_on_the_waiting_list_in_arrival_order(
    world: DeskWorld,
) -> None:
    event = await world.event(capacity=2)
    names = ["Ada", "Bo", "Cai", "Dag", "Eli"]
    answers = await asyncio.gather(*(world.register(event, n) for n in names))
    regs = [reg for reg, _ in answers]
    assert [reg.status for reg in regs] == [
        CONFIRMED,
        CONFIRMED,
        WAITLISTED,
        WAITLISTED,
        WAITLISTED,
    ]
    assert [position for _, position in answers] == [None, None, 1, 2, 3]
    assert [reg.arrival_seq for reg in regs] == sorted(reg.arrival_seq for reg in regs)
    assert await world.seats(event) == {1: regs[0].id, 2: regs[1].id}


async def test_a_cancellation_frees_the_seat_for_the_first_in_line(world: DeskWorld) -> None:
    event = await world.event(capacity=1)
    (ada, _), (bo, _), (cai, _) = [await world.register(event, n) for n in ("Ada", "Bo", "Cai")]

    cancelled = await world.cancel(event, ada, "participant")

    assert (cancelled.status, cancelled.cancelled_by) == (
        RegistrationStatus.CANCELLED,
        "participant",
    )
    assert await world.statuses(bo, cai) == [CONFIRMED, WAITLISTED]
    assert await world.seats(event) == {1: bo.id}


async def test_a_freed_seat_is_offered_when_the_event_asks_for_acceptance(
    world: DeskWorld,
) -> None:
    event = await world.event(capacity=1, offer_hours=24)
    (ada, _), (bo, _) = [await world.register(event, n) for n in ("Ada", "Bo")]
    await world.cancel(event, ada, "organiser")

    offered = await world.current(bo)
    assert offered.status is OFFERED
    assert offered.offer_expires_at == NOW + timedelta(hours=24)

    world.clock.advance(timedelta(hours=23))
    accepted = await world.accept(event, bo)
    assert (accepted.status, accepted.seat_no, accepted.offer_expires_at) == (CONFIRMED, 1, None)
    assert await world.accept(event, bo) == accepted  # accepting twice changes nothing


async def test_an_expired_offer_cannot_be_accepted_and_passes_to_the_next(
    world: DeskWorld,
) -> None:
    event = await world.event(capacity=1, offer_hours=2)
    (ada, _), (bo, _), (cai, _) = [await world.register(event, n) for n in ("Ada", "Bo", "Cai")]
    await world.cancel(event, ada, "participant")
    world.clock.advance(timedelta(hours=2))

    with pytest.raises(Refused, match="expired") as refused:
        await world.accept(event, bo)
    assert refused.value.kind is Refusal.CONFLICT

    await world.expire(bo)
    expired = await world.current(bo)
    assert (expired.status, expired.seat_no) == (RegistrationStatus.OFFER_EXPIRED, None)
    assert (await world.current(cai)).status is OFFERED
    assert await world.seats(event) == {1: cai.id}


async def test_an_offer_still_open_does_not_expire(world: DeskWorld) -> None:
    event = await world.event(capacity=1, offer_hours=2)
    (ada, _), (bo, _) = [await world.register(event, n) for n in ("Ada", "Bo")]
    await world.cancel(event, ada, "participant")
    world.clock.advance(timedelta(hours=1))
    await world.expire(bo)
    assert (await world.current(bo)).status is OFFERED


async def test_a_participant_cannot_cancel_after_the_deadline_but_the_organiser_can(
    world: DeskWorld,
) -> None:
    event = await world.event(capacity=1, cancellation_deadline=NOW + timedelta(days=1))
    (ada, _), (bo, _) = [await world.register(event, n) for n in ("Ada", "Bo")]
    world.clock.advance(timedelta(days=2))

    with pytest.raises(Refused, match="deadline"):
        await world.cancel(event, ada, "participant")
    assert await world.statuses(ada, bo) == [CONFIRMED, WAITLISTED]

    await world.cancel(event, ada, "organiser")
    assert await world.statuses(ada, bo) == [RegistrationStatus.CANCELLED, CONFIRMED]


async def test_contingents_keep_seats_for_their_municipality_until_released(
    world: DeskWorld,
) -> None:
    release = NOW + timedelta(days=3)
    event = await world.event(
        capacity=3, contingents=[Contingent(municipality_id=BODO, seats=2, release_at=release)]
    )
    saltdal, _ = await world.register(event, "Siv", municipality_id=SALTDAL)
    fauske, position = await world.register(event, "Finn", municipality_id=FAUSKE)
    bodo, _ = await world.register(event, "Bjørn", municipality_id=BODO)

    assert (saltdal.status, saltdal.seat_no) == (CONFIRMED, 3)  # the open pool
    assert (fauske.status, position) == (WAITLISTED, 1)  # Bodø's seats are not theirs yet
    assert (bodo.status, bodo.seat_no) == (CONFIRMED, 1)

    world.clock.set(release)
    await world.desks.promote(event.id)  # the sweeper's fill_free_seats
    promoted = await world.current(fauske)
    assert (promoted.status, promoted.seat_no) == (CONFIRMED, 2)


async def test_a_waiting_person_who_may_take_no_free_seat_keeps_their_place(
    world: DeskWorld,
) -> None:
    event = await world.event(capacity=2, contingents=[Contingent(municipality_id=BODO, seats=1)])
    (saltdal, _), (fauske, _) = [
        await world.register(event, n, municipality_id=m)
        for n, m in (("Siv", SALTDAL), ("Finn", FAUSKE))
    ]
    bodo, _ = await world.register(event, "Bjørn", municipality_id=BODO)
    assert [fauske.status, bodo.status] == [WAITLISTED, CONFIRMED]

    await world.cancel(event, bodo, "participant")  # frees Bodø's own seat, never released
    assert (await world.current(fauske)).status is WAITLISTED
    await world.cancel(event, saltdal, "participant")  # frees the open seat
    assert (await world.current(fauske)).status is CONFIRMED


async def test_an_event_that_requires_approval_holds_seats_pending(world: DeskWorld) -> None:
    event = await world.event(capacity=1, requires_approval=True)
    (ada, _), (bo, _) = [await world.register(event, n) for n in ("Ada", "Bo")]
    assert [ada.status, bo.status] == [RegistrationStatus.PENDING_APPROVAL, WAITLISTED]

    declined = await registration_changes.decline(
        world.stores.registrations, world.desks, await world.current(ada), "Ikke denne gangen"
    )
    assert (declined.status, declined.decision_note) == (
        RegistrationStatus.DECLINED,
        "Ikke denne gangen",
    )
    assert (await world.current(bo)).status is RegistrationStatus.PENDING_APPROVAL
    assert await world.seats(event) == {1: bo.id}


async def test_an_unverified_claim_waits_for_the_municipality(world: DeskWorld) -> None:
    event = await world.event(capacity=2)
    claimed, _ = await world.register(event, "Ada", unverified=True)
    backed, _ = await world.register(event, "Bo")
    assert [claimed.status, backed.status] == [RegistrationStatus.PENDING_APPROVAL, CONFIRMED]


async def test_registering_twice_is_refused_until_the_first_is_cancelled(
    world: DeskWorld,
) -> None:
    event = await world.event(capacity=2)
    first, _ = await world.register(event, "Ada")
    with pytest.raises(AlreadyRegistered) as twice:
        await world.register(event, "Ada")
    assert twice.value.registration_id == first.id
    assert await world.seats(event) == {1: first.id}  # the duplicate's seat went back

    await world.cancel(event, first, "participant")
    again, _ = await world.register(event, "Ada")
    assert (again.id, again.status) == (first.id, CONFIRMED)
    assert again.arrival_seq > first.arrival_seq


async def test_nobody_registers_when_registration_is_closed(world: DeskWorld) -> None:
    event = await world.event(capacity=2)
    await world.stores.events.update(event.id, close_registration)
    world.desks.forget(event.id)
    with pytest.raises(Refused, match="not open") as refused:
        await world.register(event, "Ada")
    assert refused.value.kind is Refusal.CONFLICT
    assert await world.seats(event) == {}


async def test_concurrent_admits_on_two_replicas_never_overbook() -> None:
    world = DeskWorld(replicas=2)
    try:
        event = await world.event(capacity=10)
        answers = await asyncio.gather(
            *(world.register(event, f"P{i:02d}", replica=i % 2) for i in range(40))
        )
        regs = [await world.current(reg) for reg, _ in answers]
        seated = [r for r in regs if r.status in HOLDS_SEAT]
        seats = await world.seats(event)
        assert len(seated) == len(seats) == 10
        assert sorted(seats) == list(range(1, 11))
        assert {r.seat_no: r.id for r in seated} == seats
        assert sum(r.status is WAITLISTED for r in regs) == 30
    finally:
        await world.close()
