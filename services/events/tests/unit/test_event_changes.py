"""Changing an event over the in-memory store: details and capacity (with the waiting list),
reschedule, publish, closing and reopening registration, complete, cancel (no server)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

import pytest
from samling_contracts.events import (
    EventCancelled,
    EventCompleted,
    EventRescheduled,
    EventScheduled,
    EventUpdated,
)
from samling_contracts.facts import Fact
from samling_events.adapters.store.seat_usage import StoredSeatUsage
from samling_events.domain.events import (
    AgendaItem,
    Contingent,
    Event,
    EventDetails,
    EventStatus,
)
from samling_events.domain.registrations import RegistrationStatus
from samling_events.use_cases import event_changes
from samling_kernel.decisions import Refusal, Refused

from .desk_world import BODO, START, DeskWorld

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
TRANSFER_AFTER = timedelta(days=30)
F = TypeVar("F", bound=Fact)


class FollowedPlans:
    """The transfer plans' port: records which events' plans were asked to follow."""

    def __init__(self) -> None:
        self.followed: list[tuple[Event, timedelta]] = []

    async def follow(self, event: Event, after: timedelta) -> None:
        self.followed.append((event, after))


async def told(world: DeskWorld, event: Event, kind: type[F]) -> list[F]:
    """The facts of this kind the event's changes recorded."""
    return [f for f in await world.facts(world.stores.events, event.id) if isinstance(f, kind)]


def details_of(event: Event, **changes: Any) -> EventDetails:
    fields = event.model_dump(include=set(EventDetails.model_fields))
    return EventDetails.model_validate({**fields, **changes})


async def change(world: DeskWorld, event: Event, **changes: Any) -> Event:
    return await event_changes.change_details(
        world.stores.events,
        StoredSeatUsage(world.stores),
        world.desks,
        event.id,
        details_of(event, **changes),
    )


async def reschedule(
    world: DeskWorld, event: Event, shift: timedelta, message: str | None = None
) -> tuple[Event, FollowedPlans]:
    plans = FollowedPlans()
    moved = await event_changes.reschedule(
        world.stores.events,
        world.desks,
        plans,
        event.id,
        starts_at=event.starts_at + shift,
        ends_at=event.ends_at + shift,
        timezone=None,
        message=message,
        transfer_after=TRANSFER_AFTER,
    )
    return moved, plans


async def test_raising_the_capacity_gives_the_new_seats_to_the_waiting_list(
    world: DeskWorld,
) -> None:
    event = await world.event(capacity=1)
    ada, bo, cai = [(await world.register(event, n))[0] for n in ("Ada", "Bo", "Cai")]

    raised = await change(world, event, capacity=2)

    assert (raised.capacity, raised.sequence) == (2, event.sequence + 1)
    assert await world.statuses(ada, bo, cai) == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert await world.seats(event) == {1: ada.id, 2: bo.id}
    updated = await told(world, event, EventUpdated)
    assert [(f.capacity, f.sequence) for f in updated] == [(2, raised.sequence)]


async def test_the_capacity_cannot_go_below_the_highest_taken_seat(world: DeskWorld) -> None:
    event = await world.event(capacity=3)
    ada, bo, cai = [(await world.register(event, n))[0] for n in ("Ada", "Bo", "Cai")]
    await world.cancel(event, bo, "organiser")  # seat 2 is free, seat 3 is still taken

    with pytest.raises(Refused, match="Seat 3 is taken") as refused:
        await change(world, event, capacity=2)
    assert refused.value.kind is Refusal.CONFLICT
    assert (await world.stores.events.require(event.id)).state.capacity == 3

    await world.cancel(event, cai, "organiser")
    assert (await change(world, event, capacity=1)).capacity == 1
    assert await world.seats(event) == {1: ada.id}


async def test_contingents_are_fixed_once_someone_registered(world: DeskWorld) -> None:
    event = await world.event(capacity=4)
    bodo_seats = [Contingent(municipality_id=BODO, seats=2)]
    planned = await change(world, event, contingents=bodo_seats)
    assert planned.contingents == bodo_seats

    await world.register(event, "Ada")
    with pytest.raises(Refused, match="Contingents"):
        await change(world, planned, contingents=[])
    assert (await change(world, planned, title="Nytt verksted")).contingents == bodo_seats


async def test_a_draft_changes_quietly_and_an_unchanged_body_changes_nothing(
    world: DeskWorld,
) -> None:
    draft = await world.draft(capacity=5)
    changed = await change(world, draft, title="Utkast til verksted")
    assert (changed.title, changed.sequence) == ("Utkast til verksted", 1)
    assert await world.facts(world.stores.events, draft.id) == []

    same = await change(world, changed)
    assert same == changed
    assert len(await world.stores.events.history(draft.id)) == 2


async def test_rescheduling_moves_the_agenda_tells_everyone_and_the_transfer_plans(
    world: DeskWorld,
) -> None:
    item = AgendaItem(title="Del 1", starts_at=START, ends_at=START + timedelta(hours=1))
    event = await world.event(agenda=[item])
    ada, _ = await world.register(event, "Ada")
    week = timedelta(days=7)

    moved, plans = await reschedule(world, event, week, "Innleder er syk.")

    assert (moved.starts_at, moved.ends_at) == (event.starts_at + week, event.ends_at + week)
    assert moved.agenda[0].starts_at == START + week
    assert plans.followed == [(moved, TRANSFER_AFTER)]
    assert await world.statuses(ada) == [CONFIRMED]
    rescheduled = await told(world, event, EventRescheduled)
    assert [(f.previous_starts_at, f.message) for f in rescheduled] == [(START, "Innleder er syk.")]


@pytest.mark.parametrize("ending", ["cancel", "complete"])
async def test_a_cancelled_or_completed_event_cannot_be_rescheduled(
    world: DeskWorld, ending: str
) -> None:
    event = await world.event()
    if ending == "cancel":
        await event_changes.cancel(world.stores.events, world.desks, event.id, None)
    else:
        world.clock.set(event.starts_at)
        await event_changes.complete(world.stores.events, world.desks, event.id, world.clock.now())

    with pytest.raises(Refused, match="cannot be changed") as refused:
        await reschedule(world, event, timedelta(days=1))
    assert refused.value.kind is Refusal.CONFLICT
    assert (await world.stores.events.require(event.id)).state.starts_at == event.starts_at


async def test_a_reschedule_that_ends_before_it_starts_is_invalid(world: DeskWorld) -> None:
    event = await world.event()
    with pytest.raises(Refused, match="end after it starts") as refused:
        await event_changes.reschedule(
            world.stores.events,
            world.desks,
            FollowedPlans(),
            event.id,
            starts_at=event.ends_at,
            ends_at=event.starts_at,
            timezone=None,
            message=None,
            transfer_after=TRANSFER_AFTER,
        )
    assert refused.value.kind is Refusal.INVALID


async def test_publishing_twice_schedules_the_event_once(world: DeskWorld) -> None:
    draft = await world.draft()
    first = await event_changes.publish(world.stores.events, world.desks, draft.id)
    again = await event_changes.publish(world.stores.events, world.desks, draft.id)

    assert first.status is again.status is EventStatus.PUBLISHED
    assert len(await told(world, draft, EventScheduled)) == 1
    assert len(await world.stores.events.history(draft.id)) == 2


async def test_only_a_draft_can_be_published(world: DeskWorld) -> None:
    event = await world.event()
    await event_changes.cancel(world.stores.events, world.desks, event.id, "Sykdom")
    with pytest.raises(Refused, match="Only a draft"):
        await event_changes.publish(world.stores.events, world.desks, event.id)


async def test_closing_registration_turns_the_next_arrival_away_at_once(
    world: DeskWorld,
) -> None:
    event = await world.event(capacity=5)
    await world.register(event, "Ada")  # the desk now holds the event, open

    closed = await event_changes.close_registration(world.stores.events, world.desks, event.id)
    assert closed.status is EventStatus.REGISTRATION_CLOSED
    with pytest.raises(Refused, match="not open"):
        await world.register(event, "Bo")

    reopened = await event_changes.reopen_registration(world.stores.events, world.desks, event.id)
    assert reopened.status is EventStatus.PUBLISHED
    bo, _ = await world.register(event, "Bo")
    assert bo.status is CONFIRMED


async def test_only_closed_registration_reopens(world: DeskWorld) -> None:
    draft = await world.draft()
    with pytest.raises(Refused, match="Only closed registration"):
        await event_changes.reopen_registration(world.stores.events, world.desks, draft.id)
    event = await world.event()
    same = await event_changes.reopen_registration(world.stores.events, world.desks, event.id)
    assert same == event


async def test_an_event_is_completed_once_it_has_started(world: DeskWorld) -> None:
    event = await world.event()
    world.clock.set(event.starts_at - timedelta(minutes=1))
    with pytest.raises(Refused, match="before it has started"):
        await event_changes.complete(world.stores.events, world.desks, event.id, world.clock.now())

    world.clock.set(event.starts_at)
    for _ in range(2):  # completing twice changes nothing the second time
        done = await event_changes.complete(
            world.stores.events, world.desks, event.id, world.clock.now()
        )
        assert done.status is EventStatus.COMPLETED
    assert len(await told(world, event, EventCompleted)) == 1
    with pytest.raises(Refused, match="completed event cannot be cancelled"):
        await event_changes.cancel(world.stores.events, world.desks, event.id, None)


async def test_cancelling_keeps_the_registrations_and_closes_the_desk(world: DeskWorld) -> None:
    event = await world.event(capacity=1)
    ada, bo = [(await world.register(event, n))[0] for n in ("Ada", "Bo")]

    cancelled = await event_changes.cancel(world.stores.events, world.desks, event.id, "Sykdom")

    assert (cancelled.status, cancelled.cancel_reason) == (EventStatus.CANCELLED, "Sykdom")
    assert cancelled.sequence == event.sequence + 1
    assert await world.statuses(ada, bo) == [CONFIRMED, WAITLISTED]
    assert await world.seats(event) == {1: ada.id}
    assert [f.reason for f in await told(world, event, EventCancelled)] == ["Sykdom"]
    with pytest.raises(Refused, match="not open"):
        await world.register(event, "Cai")


async def test_a_draft_is_cancelled_without_telling_anyone(world: DeskWorld) -> None:
    draft = await world.draft()
    cancelled = await event_changes.cancel(world.stores.events, world.desks, draft.id, None)
    assert cancelled.status is EventStatus.CANCELLED
    assert await world.facts(world.stores.events, draft.id) == []
