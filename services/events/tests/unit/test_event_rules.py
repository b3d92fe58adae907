"""An event's lifecycle: draft → published → registration closed → completed, or cancelled;
its times, its details and what calendar clients are told of each change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from samling_contracts.events import (
    EventCancelled,
    EventCompleted,
    EventRescheduled,
    EventScheduled,
    EventUpdated,
)
from samling_events.domain import events
from samling_events.domain.events import AgendaItem, EventDetails, EventStatus
from samling_kernel.decisions import Refusal, Refused

from services.events.tests.unit.builders import ENDS, STARTS, an_event

DRAFT, PUBLISHED, CLOSED = EventStatus.DRAFT, EventStatus.PUBLISHED, EventStatus.REGISTRATION_CLOSED
COMPLETED, CANCELLED = EventStatus.COMPLETED, EventStatus.CANCELLED


def _details(**changes: object) -> EventDetails:
    return EventDetails.model_validate(
        {"title": "Verksted", "venue": "Bodø rådhus", "capacity": 4, **changes}
    )


# -- times and details -------------------------------------------------------------------------
@pytest.mark.parametrize("length", [timedelta(0), timedelta(minutes=-1)])
def test_an_event_must_end_after_it_starts(length: timedelta) -> None:
    with pytest.raises(Refused, match="end after it starts") as refused:
        an_event(DRAFT, ends_at=STARTS + length)
    assert refused.value.kind is Refusal.INVALID


def test_an_event_lasts_at_most_fourteen_days() -> None:
    two_weeks = an_event(DRAFT, ends_at=STARTS + timedelta(days=14))
    assert two_weeks.ends_at - two_weeks.starts_at == timedelta(days=14)
    with pytest.raises(Refused, match="at most 14 days") as refused:
        an_event(DRAFT, ends_at=STARTS + timedelta(days=14, seconds=1))
    assert refused.value.kind is Refusal.INVALID


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"venue": None}, "a venue or an online link"),
        (
            {"contingents": [{"municipality_id": "NO-1804", "seats": 2}] * 2},
            "one contingent only",
        ),
        (
            {"questions": [{"id": "diet", "label": "Mat?"}, {"id": "diet", "label": "Diett?"}]},
            "unique",
        ),
    ],
)
def test_details_that_contradict_themselves_are_refused(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _details(**changes)


def test_an_online_event_needs_no_venue() -> None:
    assert _details(venue=None, online_url="https://meet.example/lesing").online_url


def test_participants_cancel_until_the_start_unless_the_event_says_earlier() -> None:
    assert an_event().effective_cancellation_deadline == STARTS
    earlier = STARTS - timedelta(days=2)
    assert an_event(cancellation_deadline=earlier).effective_cancellation_deadline == earlier


# -- publishing --------------------------------------------------------------------------------
def test_publishing_a_draft_announces_it_to_calendars() -> None:
    change = events.publish(an_event(DRAFT))
    assert change is not None
    assert change.state.status is PUBLISHED
    (fact,) = list(change.facts)
    assert isinstance(fact, EventScheduled)
    assert (fact.event_id, fact.starts_at, fact.capacity, fact.sequence) == ("evt_1", STARTS, 4, 0)


def test_publishing_twice_says_nothing_the_second_time() -> None:
    assert events.publish(an_event(PUBLISHED)) is None


@pytest.mark.parametrize("status", [CLOSED, COMPLETED, CANCELLED])
def test_only_a_draft_is_published(status: EventStatus) -> None:
    with pytest.raises(Refused, match=f"Only a draft can be published; this event is {status}"):
        events.publish(an_event(status))


# -- changing details --------------------------------------------------------------------------
def test_new_details_of_a_published_event_raise_its_sequence_and_tell_calendars() -> None:
    change = events.update_details(
        an_event(PUBLISHED),
        _details(title="Verksted om lesing", capacity=6),
        highest_taken_seat=4,
        has_registrations=True,
    )
    assert change is not None
    assert (change.state.title, change.state.capacity, change.state.sequence) == (
        "Verksted om lesing",
        6,
        1,
    )
    (fact,) = list(change.facts)
    assert isinstance(fact, EventUpdated)
    assert (fact.title, fact.capacity, fact.sequence) == ("Verksted om lesing", 6, 1)


def test_a_drafts_new_details_tell_nobody() -> None:
    change = events.update_details(
        an_event(DRAFT), _details(title="Nytt navn"), highest_taken_seat=0, has_registrations=False
    )
    assert change is not None
    assert (change.state.title, change.state.sequence, list(change.facts)) == ("Nytt navn", 1, [])


def test_the_same_details_change_nothing() -> None:
    assert (
        events.update_details(an_event(), _details(), highest_taken_seat=2, has_registrations=True)
        is None
    )


def test_the_capacity_may_go_down_to_the_highest_taken_seat_but_not_below() -> None:
    lowered = events.update_details(
        an_event(capacity=8), _details(capacity=5), highest_taken_seat=5, has_registrations=True
    )
    assert lowered is not None
    assert lowered.state.capacity == 5
    with pytest.raises(Refused, match="Seat 5 is taken") as refused:
        events.update_details(
            an_event(capacity=8), _details(capacity=4), highest_taken_seat=5, has_registrations=True
        )
    assert refused.value.kind is Refusal.CONFLICT


def test_contingents_change_only_before_anyone_registered() -> None:
    contingent = {"municipality_id": "NO-1804", "seats": 2}
    changed = events.update_details(
        an_event(),
        _details(contingents=[contingent]),
        highest_taken_seat=0,
        has_registrations=False,
    )
    assert changed is not None
    assert [c.municipality_id for c in changed.state.contingents] == ["NO-1804"]
    with pytest.raises(Refused, match="Contingents cannot change"):
        events.update_details(
            an_event(),
            _details(contingents=[contingent]),
            highest_taken_seat=1,
            has_registrations=True,
        )


@pytest.mark.parametrize("status", [COMPLETED, CANCELLED])
def test_a_finished_event_cannot_be_changed(status: EventStatus) -> None:
    with pytest.raises(Refused, match=f"This event is {status} and cannot be changed"):
        events.update_details(
            an_event(status), _details(title="Nytt"), highest_taken_seat=0, has_registrations=False
        )
    with pytest.raises(Refused, match="cannot be changed"):
        events.reschedule(
            an_event(status), STARTS + timedelta(days=1), ENDS + timedelta(days=1), None
        )


# -- moving ------------------------------------------------------------------------------------
def test_moving_a_published_event_moves_its_agenda_and_tells_the_old_time() -> None:
    item = AgendaItem(title="Del 1", starts_at=STARTS, ends_at=STARTS + timedelta(hours=1))
    event = an_event(agenda=[item])
    week = timedelta(days=7)
    change = events.reschedule(event, STARTS + week, ENDS + week, None, "Flyttet til rådhuset")
    assert change is not None
    moved = change.state
    assert (moved.starts_at, moved.ends_at, moved.timezone, moved.sequence) == (
        STARTS + week,
        ENDS + week,
        "Europe/Oslo",
        1,
    )
    assert (moved.agenda[0].starts_at, moved.agenda[0].ends_at) == (
        STARTS + week,
        STARTS + week + timedelta(hours=1),
    )
    (fact,) = list(change.facts)
    assert isinstance(fact, EventRescheduled)
    assert (fact.previous_starts_at, fact.starts_at, fact.message) == (
        STARTS,
        STARTS + week,
        "Flyttet til rådhuset",
    )


def test_moving_a_draft_tells_nobody() -> None:
    change = events.reschedule(an_event(DRAFT), STARTS, ENDS + timedelta(hours=1), None)
    assert change is not None
    assert (change.state.ends_at, list(change.facts)) == (ENDS + timedelta(hours=1), [])


def test_the_same_times_in_the_same_zone_are_no_move() -> None:
    assert events.reschedule(an_event(), STARTS, ENDS, None) is None
    assert events.reschedule(an_event(), STARTS, ENDS, "Europe/Oslo") is None


def test_a_new_time_zone_alone_is_a_move() -> None:
    change = events.reschedule(an_event(), STARTS, ENDS, "Europe/Stockholm")
    assert change is not None
    (fact,) = list(change.facts)
    assert isinstance(fact, EventRescheduled)
    assert (change.state.timezone, fact.timezone) == ("Europe/Stockholm", "Europe/Stockholm")


def test_a_move_keeps_the_rules_of_an_events_times() -> None:
    with pytest.raises(Refused, match="end after it starts"):
        events.reschedule(an_event(), ENDS, STARTS, None)


# -- registration open and closed ----------------------------------------------------------------
def test_registration_closes_and_reopens_on_a_published_event() -> None:
    closed = events.close_registration(an_event(PUBLISHED))
    assert closed is not None
    assert closed.state.status is CLOSED
    assert not closed.state.open_for_registration()
    assert events.close_registration(closed.state) is None
    reopened = events.reopen_registration(closed.state)
    assert reopened is not None
    assert reopened.state.status is PUBLISHED
    assert reopened.state.open_for_registration()
    assert events.reopen_registration(reopened.state) is None


@pytest.mark.parametrize("status", [DRAFT, COMPLETED, CANCELLED])
def test_registration_closes_only_on_a_published_event(status: EventStatus) -> None:
    with pytest.raises(Refused, match=f"only close on a published event, not {status}"):
        events.close_registration(an_event(status))


@pytest.mark.parametrize("status", [DRAFT, COMPLETED, CANCELLED])
def test_only_closed_registration_reopens(status: EventStatus) -> None:
    with pytest.raises(
        Refused, match=f"Only closed registration can reopen; this event is {status}"
    ):
        events.reopen_registration(an_event(status))


# -- completing --------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [PUBLISHED, CLOSED])
def test_an_event_is_completed_from_its_start(status: EventStatus) -> None:
    change = events.complete(an_event(status), STARTS)
    assert change is not None
    assert change.state.status is COMPLETED
    (fact,) = list(change.facts)
    assert isinstance(fact, EventCompleted)
    assert (fact.event_id, fact.network_id) == ("evt_1", "net_1")
    assert events.complete(change.state, STARTS) is None


def test_an_event_cannot_be_completed_before_it_starts() -> None:
    with pytest.raises(Refused, match="before it has started"):
        events.complete(an_event(), STARTS - timedelta(seconds=1))


@pytest.mark.parametrize("status", [DRAFT, CANCELLED])
def test_only_a_published_event_is_completed(status: EventStatus) -> None:
    with pytest.raises(Refused, match=f"Only a published event can be completed, not {status}"):
        events.complete(an_event(status), ENDS)


# -- cancelling --------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [PUBLISHED, CLOSED])
def test_cancelling_tells_calendars_with_the_reason(status: EventStatus) -> None:
    change = events.cancel(an_event(status), "Sykdom")
    assert change is not None
    assert (change.state.status, change.state.cancel_reason, change.state.sequence) == (
        CANCELLED,
        "Sykdom",
        1,
    )
    (fact,) = list(change.facts)
    assert isinstance(fact, EventCancelled)
    assert (fact.reason, fact.sequence) == ("Sykdom", 1)
    assert events.cancel(change.state, "Igjen") is None


def test_a_cancelled_draft_tells_nobody() -> None:
    change = events.cancel(an_event(DRAFT), None)
    assert change is not None
    assert (change.state.status, list(change.facts)) == (CANCELLED, [])


def test_a_completed_event_cannot_be_cancelled() -> None:
    with pytest.raises(Refused, match="completed event cannot be cancelled") as refused:
        events.cancel(an_event(COMPLETED), None)
    assert refused.value.kind is Refusal.CONFLICT
