"""Planning over the in-memory store: a conference from a template, a series (at most 52
occurrences, on the local clock), changing a series' coming occurrences, and conflicts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from samling_contracts.vocabulary import AssignmentPhase, EventKind
from samling_devtools.memory_store import memory_aggregates
from samling_events.adapters.store.event_queries import EventQueries
from samling_events.adapters.store.seat_usage import StoredSeatUsage
from samling_events.domain.conference import Assignment, Template
from samling_events.domain.events import Event, EventDetails, EventStatus
from samling_events.domain.planning import MAX_OCCURRENCES, clash, proposed, series_starts
from samling_events.domain.registrations import RegistrationStatus
from samling_events.use_cases import event_changes, event_planning
from samling_events.use_cases.event_planning import Planner
from samling_kernel.decisions import Refusal, Refused

from .desk_world import START, DeskWorld

OSLO = ZoneInfo("Europe/Oslo")
BY = Planner("koordinator", "rkk-salten", "net_lesing")
DETAILS = EventDetails(title="Nettverksmøte", venue="Bodø rådhus", capacity=20)


async def plan_series(world: DeskWorld, rrule: str) -> event_planning.Series:
    starts = series_starts(rrule, START, "Europe/Oslo")
    return await event_planning.plan_series(
        world.stores.events,
        BY,
        EventKind.NETWORK_MEETING,
        starts,
        timedelta(hours=2),
        "Europe/Oslo",
        DETAILS,
    )


def test_a_series_keeps_the_local_time_across_summer_time() -> None:
    first = datetime(2027, 3, 16, 9, 0, tzinfo=OSLO)  # summer time starts on 28 March
    starts = series_starts("FREQ=WEEKLY;COUNT=4", first.astimezone(UTC), "Europe/Oslo")
    assert [s.astimezone(OSLO).hour for s in starts] == [9, 9, 9, 9]
    # Same-zone datetimes subtract on the wall clock: the hour lost shows in UTC.
    first_utc, last_utc = starts[0].astimezone(UTC), starts[-1].astimezone(UTC)
    assert last_utc - first_utc == timedelta(weeks=3) - timedelta(hours=1)


@pytest.mark.parametrize("rrule", ["FREQ=DAILY", f"FREQ=WEEKLY;COUNT={MAX_OCCURRENCES + 1}"])
def test_a_series_has_at_most_52_occurrences(rrule: str) -> None:
    with pytest.raises(Refused, match="1 to 52 occurrences") as refused:
        series_starts(rrule, START, "Europe/Oslo")
    assert refused.value.kind is Refusal.INVALID
    assert len(series_starts(f"FREQ=WEEKLY;COUNT={MAX_OCCURRENCES}", START, "Europe/Oslo")) == 52


@pytest.mark.parametrize("rrule", ["FREQ=SOMETIMES", "FREQ=WEEKLY;UNTIL=20200101T000000Z"])
def test_a_series_with_a_broken_or_empty_rule_is_refused(rrule: str) -> None:
    with pytest.raises(Refused) as refused:
        series_starts(rrule, START, "Europe/Oslo")
    assert refused.value.kind is Refusal.INVALID


async def test_a_series_is_one_draft_per_occurrence(world: DeskWorld) -> None:
    series = await plan_series(world, "FREQ=MONTHLY;COUNT=3")

    stored = [(await world.stores.events.require(e.id)).state for e in series.events]
    assert stored == series.events
    assert {e.series_id for e in stored} == {series.series_id}
    assert {(e.status, e.network_id, e.created_by) for e in stored} == {
        (EventStatus.DRAFT, "net_lesing", "koordinator")
    }
    assert all(e.ends_at - e.starts_at == timedelta(hours=2) for e in stored)
    assert len({e.id for e in stored}) == 3


async def test_changing_a_series_skips_cancelled_occurrences_and_moves_waiting_lists(
    world: DeskWorld,
) -> None:
    series = await plan_series(world, "FREQ=WEEKLY;COUNT=3")
    first, second, third = series.events
    await event_changes.publish(world.stores.events, world.desks, first.id)
    await event_changes.cancel(world.stores.events, world.desks, third.id, None)
    small = DETAILS.model_copy(update={"capacity": 1})
    await event_planning.change_series(
        world.stores.events,
        StoredSeatUsage(world.stores),
        world.desks,
        [(await world.stores.events.require(e.id)).state for e in series.events],
        small,
    )
    current = (await world.stores.events.require(first.id)).state
    ada, bo = [(await world.register(current, n))[0] for n in ("Ada", "Bo")]
    assert bo.status is RegistrationStatus.WAITLISTED

    coming = [(await world.stores.events.require(e.id)).state for e in series.events]
    changed = await event_planning.change_series(
        world.stores.events,
        StoredSeatUsage(world.stores),
        world.desks,
        list(reversed(coming)),
        DETAILS.model_copy(update={"capacity": 2, "title": "Nettverksmøte (flyttet rom)"}),
    )

    assert [e.id for e in changed] == [first.id, second.id]
    assert [e.capacity for e in changed] == [2, 2]
    assert (await world.stores.events.require(third.id)).state.capacity == 20
    assert await world.statuses(ada, bo) == [RegistrationStatus.CONFIRMED] * 2


async def test_a_series_change_below_a_taken_seat_is_refused(world: DeskWorld) -> None:
    series = await plan_series(world, "FREQ=WEEKLY;COUNT=2")
    first = await event_changes.publish(world.stores.events, world.desks, series.events[0].id)
    for name in ("Ada", "Bo"):
        await world.register(first, name)
    with pytest.raises(Refused, match="Seat 2 is taken"):
        await event_planning.change_series(
            world.stores.events,
            StoredSeatUsage(world.stores),
            world.desks,
            [first, series.events[1]],
            DETAILS.model_copy(update={"capacity": 1}),
        )


async def test_a_short_afternoon_conference_comes_with_its_pre_and_follow_up_work(
    world: DeskWorld,
) -> None:
    assignments = memory_aggregates(world.db, "assignments", Assignment, world.clock.now)
    event, made = await event_planning.plan_conference(
        world.stores.events,
        assignments,
        BY,
        Template.SHORT_AFTERNOON,
        START,
        "Europe/Oslo",
        DETAILS,
    )

    assert (event.kind, event.status) == (EventKind.DIALOGUE_CONFERENCE, EventStatus.DRAFT)
    assert event.agenda[0].starts_at == START
    assert event.ends_at == event.agenda[-1].ends_at
    assert [a.phase for a in made] == [AssignmentPhase.PRE, AssignmentPhase.POST]
    assert {a.event_id for a in made} == {event.id}
    for a in made:
        assert (await assignments.require(a.id)).state == a


async def test_a_one_day_conference_has_no_assignments(world: DeskWorld) -> None:
    assignments = memory_aggregates(world.db, "assignments", Assignment, world.clock.now)
    event, made = await event_planning.plan_conference(
        world.stores.events, assignments, BY, Template.ONE_DAY, START, "Europe/Oslo", DETAILS
    )
    assert made == []
    assert len(event.agenda) == 4


async def plan_at(
    world: DeskWorld, hours: tuple[int, int], venue: str, network_id: str | None
) -> Event:
    by = Planner("koordinator", "rkk-salten", network_id)
    details = DETAILS.model_copy(update={"venue": venue})
    starts, ends = (START + timedelta(hours=h) for h in hours)
    return await event_planning.plan_event(
        world.stores.events, by, EventKind.WORKSHOP, starts, ends, "Europe/Oslo", details
    )


async def test_conflicts_name_the_same_network_and_the_same_venue(world: DeskWorld) -> None:
    event = await plan_at(world, (0, 3), "Bodø rådhus", "net_lesing")
    same_network = await plan_at(world, (1, 2), "Fauske kulturhus", "net_lesing")
    same_venue = await plan_at(world, (2, 4), "Bodø rådhus", "net_realfag")
    both = await plan_at(world, (-1, 1), "Bodø rådhus", "net_lesing")
    await plan_at(world, (1, 2), "Saltdal skole", "net_realfag")  # no clash
    await plan_at(world, (3, 5), "Bodø rådhus", "net_lesing")  # starts as this one ends
    cancelled = await plan_at(world, (0, 1), "Bodø rådhus", "net_lesing")
    await event_changes.cancel(world.stores.events, world.desks, cancelled.id, None)

    found = await event_planning.conflicts(EventQueries(world.stores.events), event)

    assert sorted((other.id, reason) for other, reason in found) == sorted(
        [
            (same_network.id, "same network"),
            (same_venue.id, "same venue"),
            (both.id, "same network and same venue"),
        ]
    )


def test_the_same_venue_is_the_same_whatever_the_case_and_spaces() -> None:
    here = Event(
        id="evt_1",
        region_id="rkk-salten",
        kind=EventKind.WORKSHOP,
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        timezone="Europe/Oslo",
        title="Verksted",
        venue="Bodø rådhus",
        capacity=10,
    )
    there = here.model_copy(update={"id": "evt_2", "venue": "  bodø RÅDHUS "})
    assert clash(here, there) == "same venue"
    assert clash(here, there.model_copy(update={"venue": "Bodø bibliotek"})) is None


async def test_conflicts_for_times_and_a_venue_being_typed(world: DeskWorld) -> None:
    event = await plan_at(world, (0, 1), "Bodø rådhus", None)
    later = await plan_at(world, (5, 6), "Fauske kulturhus", None)
    typed = proposed(
        event,
        starts_at=START + timedelta(hours=5),
        ends_at=START + timedelta(hours=7),
        venue=" Fauske kulturhus ",
    )
    found = await event_planning.conflicts(EventQueries(world.stores.events), typed)
    assert [(other.id, reason) for other, reason in found] == [(later.id, "same venue")]
    assert typed.venue == "Fauske kulturhus"

    with pytest.raises(Refused, match="end after it starts") as refused:
        proposed(event, ends_at=event.starts_at)
    assert refused.value.kind is Refusal.INVALID
