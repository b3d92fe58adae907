"""The sweeper's seat repair and anonymisation read only what came due (issue #14), and still
free every orphan seat and anonymise every ended event's registrations; filling free seats
reads the waiting lists of events that have not ended only, and still fills theirs (the fast
tier)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from samling_events.adapters.store.stores import EVENTS_BY_END
from samling_events.desk import Desks
from samling_events.domain import events as event_rules
from samling_events.domain import registrations as rules
from samling_events.domain.events import Event
from samling_events.domain.participants import ANONYMOUS
from samling_events.domain.registrations import Registration, RegistrationStatus

from .sweep_world import SweepWorld

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
AFTER_GRACE = timedelta(minutes=3)
LONG_AFTER = timedelta(days=91)  # the service anonymises 90 days after an event ends


@pytest.fixture
async def world() -> AsyncIterator[SweepWorld]:
    w = SweepWorld()
    await w.open()
    yield w
    await w.close()


async def crash_after_cancelling(world: SweepWorld, event: Event, reg: Registration) -> None:
    """The registration is cancelled and the process dies before the seat goes back."""
    now = world.clock.now()
    await world.all.registrations.update(reg.id, lambda r: rules.cancel(r, event, "system", now))


async def one_seated_one_waiting(world: SweepWorld) -> tuple[Event, Registration, Registration]:
    event = await world.event(capacity=1)
    ada, _ = await world.register(event, "Ada")
    bo, _ = await world.register(event, "Bo")
    return event, ada, bo


async def test_a_seat_whose_registration_was_never_written_is_freed_after_the_grace_period(
    world: SweepWorld,
) -> None:
    event = await world.event(capacity=2)
    ada, _ = await world.register(event, "Ada")
    assert await world.book(event).take(2, "reg_never_written", world.clock.now())
    bo, place = await world.register(event, "Bo")
    assert place == 1

    world.clock.advance(timedelta(minutes=1))
    await world.sweeper.run_once()
    assert (await world.seats(event))[2] == "reg_never_written"  # its batch may still write it

    world.clock.advance(AFTER_GRACE)
    await world.sweeper.run_once()
    assert await world.seats(event) == {1: ada.id, 2: bo.id}
    assert await world.statuses(ada, bo) == [CONFIRMED, CONFIRMED]


async def test_an_old_seat_of_a_registration_cancelled_without_freeing_it_is_freed(
    world: SweepWorld,
) -> None:
    event, ada, bo = await one_seated_one_waiting(world)
    world.clock.advance(timedelta(hours=3))
    await world.sweeper.run_once()  # the seats' buckets of three hours ago are finished
    assert await world.seats(event) == {1: ada.id}

    await crash_after_cancelling(world, event, ada)
    world.clock.advance(AFTER_GRACE)
    await world.sweeper.run_once()

    assert await world.seats(event) == {1: bo.id}
    assert await world.statuses(ada, bo) == [RegistrationStatus.CANCELLED, CONFIRMED]


async def test_the_seat_of_a_waiting_registration_being_promoted_is_kept(
    world: SweepWorld,
) -> None:
    event, ada, bo = await one_seated_one_waiting(world)
    # Ada's seat went back, and a desk has taken it for Bo but not yet written his promotion.
    await crash_after_cancelling(world, event, ada)
    await world.book(event).give_back(1, ada.id)
    assert await world.book(event).take(1, bo.id, world.clock.now())

    for later in (AFTER_GRACE, timedelta(hours=2)):
        world.clock.advance(later)
        await world.sweeper.run_once()
        assert await world.seats(event) == {1: bo.id}
        assert await world.statuses(bo) == [WAITLISTED]


async def test_a_round_reads_only_what_changed_since_the_finished_buckets(
    world: SweepWorld,
) -> None:
    event = await world.event(capacity=30)
    regs = [(await world.register(event, f"P{n}"))[0] for n in range(30)]
    world.clock.advance(timedelta(hours=3))
    await world.sweeper.run_once()
    assert world.read() >= 2 * len(regs)  # the seats of the due buckets and their holders
    before_events = world.event_reads.documents

    before = world.read()
    world.clock.advance(timedelta(seconds=30))
    await world.sweeper.run_once()
    # Nothing came due: no seat or registration read, only the one event to come (its
    # waiting list, empty, is what filling free seats looks at).
    assert world.read() - before == world.event_reads.documents - before_events == 1

    await crash_after_cancelling(world, event, regs[0])
    before = world.registration_reads.documents
    world.clock.advance(AFTER_GRACE)
    await world.sweeper.run_once()
    # The one registration that changed, and again as its seat's holder; not the 29 others.
    assert world.registration_reads.documents - before == 2
    assert regs[0].id not in (await world.seats(event)).values()
    assert len(await world.seats(event)) == 29


async def test_an_ended_events_registrations_are_anonymised_once(world: SweepWorld) -> None:
    event = await world.event(capacity=5)
    ada, _ = await world.register(event, "Ada")
    bo, _ = await world.register(event, "Bo")
    world.clock.set(event.ends_at + timedelta(days=89))
    await world.sweeper.run_once()
    assert {(await world.current(r)).erased for r in (ada, bo)} == {False}

    world.clock.set(event.ends_at + LONG_AFTER)
    await world.sweeper.run_once()
    versions = [(await world.all.registrations.require(r.id)).version for r in (ada, bo)]
    for reg in (ada, bo):
        current = await world.current(reg)
        assert (current.erased, current.participant_id) == (True, ANONYMOUS)
        assert await world.all.participants.find_one({"_id": reg.participant_id}) is None
    assert await world.all.roster.count_documents({"event_id": event.id}) == 0
    assert await world.all.anonymisations.current.count_documents({}) == 2

    world.clock.advance(timedelta(days=1))
    before = world.registration_reads.documents
    await world.sweeper.run_once()
    assert world.registration_reads.documents == before
    again = [(await world.all.registrations.require(r.id)).version for r in (ada, bo)]
    assert again == versions
    assert await world.all.anonymisations.current.count_documents({}) == 2


async def test_an_event_moved_into_a_finished_day_is_anonymised_too(world: SweepWorld) -> None:
    ended = await world.event(capacity=5)
    await world.register(ended, "Ada")
    later = (await world.event(capacity=5)).id
    await move(world, later, ended.ends_at + timedelta(days=200))
    world.clock.set(ended.ends_at + LONG_AFTER)
    await world.sweeper.run_once()  # the day ``ended`` ended on is finished
    cai, _ = await world.register((await world.all.events.require(later)).state, "Cai")
    await world.sweeper.run_once()
    assert not (await world.current(cai)).erased  # ``later`` has not taken place yet

    await move(world, later, ended.ends_at)  # a date typed wrong, put right
    copy = await world.all.events.current.find_one({"_id": later})
    assert copy is not None
    assert copy[EVENTS_BY_END.bucket_field] == EVENTS_BY_END.bucket(ended.ends_at)
    world.clock.advance(timedelta(seconds=30))
    await world.sweeper.run_once()
    assert (await world.current(cai)).erased


async def move(world: SweepWorld, event_id: str, ends_at: datetime) -> None:
    starts_at = ends_at - timedelta(hours=6)
    await world.all.events.update(
        event_id, lambda e: event_rules.reschedule(e, starts_at, ends_at, None)
    )


async def freed_elsewhere(world: SweepWorld, event: Event, seated: Registration) -> None:
    """Another replica cancelled and gave the seat back, and stopped before promoting."""
    await crash_after_cancelling(world, event, seated)
    await world.book(event).give_back(1, seated.id)


def promotions(world: SweepWorld, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The events the sweeper asks the desks to promote from, as it asks."""
    asked: list[str] = []
    promote = Desks.promote

    async def counted(desks: Desks, event_id: str) -> None:
        asked.append(event_id)
        await promote(desks, event_id)

    monkeypatch.setattr(Desks, "promote", counted)
    return asked


async def test_the_waiting_list_of_an_event_that_has_ended_is_not_read(
    world: SweepWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    past, ada, bo = await one_seated_one_waiting(world)
    later, eli, fia = await one_seated_one_waiting(world)
    soon, cai, dag = await one_seated_one_waiting(world)
    await move(world, later.id, past.ends_at + timedelta(days=90))
    await move(world, soon.id, past.ends_at + timedelta(days=60))
    for event, seated in ((past, ada), (later, eli), (soon, cai)):
        await freed_elsewhere(world, event, seated)
    world.clock.set(past.ends_at + timedelta(days=30))
    asked = promotions(world, monkeypatch)
    for reads in (world.event_reads, world.registration_reads):
        reads.ids.clear()  # what the sweep reads from here on

    await world.sweeper.fill_free_seats()

    assert asked == [soon.id, later.id]  # by start
    assert past.id not in world.event_reads.ids
    assert bo.id not in world.registration_reads.ids
    assert await world.statuses(bo, dag, fia) == [WAITLISTED, CONFIRMED, CONFIRMED]
    assert await world.seats(soon) == {1: dag.id}


async def test_an_event_under_way_for_days_still_fills_a_freed_seat(world: SweepWorld) -> None:
    event, ada, bo = await one_seated_one_waiting(world)
    starts_at = event.starts_at
    await world.all.events.update(
        event.id,
        lambda e: event_rules.reschedule(e, starts_at, starts_at + timedelta(days=12), None),
    )
    await freed_elsewhere(world, event, ada)
    world.clock.set(starts_at + timedelta(days=11))  # its week is two before this one

    await world.sweeper.fill_free_seats()

    assert await world.statuses(bo) == [CONFIRMED]
    assert await world.seats(event) == {1: bo.id}
