"""Who gets told: the pure rules of domain.audience, no store, no broker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from samling_contracts.events import (
    AssignmentAssigned,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from samling_contracts.network import ReportPublished, ReportTags
from samling_contracts.vocabulary import AssignmentPhase, Visibility
from samling_notifications.domain.audience import (
    assignment_reminder,
    event_reminder,
    followup_audience,
    invitable,
    registration_notice,
    report_subscriptions,
    union,
)
from samling_notifications.domain.notices import Kind, Recipient, RecipientType

STARTS = datetime(2027, 2, 10, 9, 0, tzinfo=UTC)
IDS = {"registration_id": "reg_1", "event_id": "evt_1", "participant_id": "par_1"}
EventDoc = dict[str, object]


def person(pid: str, email: str | None = None) -> Recipient:
    return Recipient(id=pid, type=RecipientType.PARTICIPANT, email=email)


def report(visibility: Visibility, level: str | None = "unit") -> ReportPublished:
    return ReportPublished(
        report_id="rep_1",
        municipality_id="NO-1838",
        region_id="rkk-salten",
        network_ids=["net_a", "net_b"],
        visibility=visibility,
        template="free_text",
        title="Lesevenner",
        tags=ReportTags(learning_arenas=["reflection_group"], level=level, language="nb"),
    )


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.REGION, Visibility.NETWORK])
def test_a_shared_report_is_told_to_its_networks_arenas_and_level(visibility: Visibility) -> None:
    assert report_subscriptions(report(visibility)) == [
        ("network", ["net_a", "net_b"]),
        ("report_tag", ["reflection_group"]),
        ("report_level", ["unit"]),
    ]


def test_a_private_report_is_told_to_nobody() -> None:
    assert report_subscriptions(report(Visibility.PRIVATE)) == []


def test_a_report_without_a_level_asks_no_level_subscribers() -> None:
    assert ("report_level", []) in report_subscriptions(report(Visibility.PUBLIC, level=None))


def test_followup_goes_to_those_who_attended() -> None:
    assert followup_audience([person("a")], [person("a"), person("b")]) == [person("a")]


def test_followup_falls_back_to_all_confirmed_when_no_attendance_was_recorded() -> None:
    assert followup_audience([], [person("a"), person("b")]) == [person("a"), person("b")]


def test_pre_work_is_recalled_24_hours_before_it_is_due() -> None:
    due = STARTS - timedelta(days=7)
    fact = AssignmentAssigned(
        event_id="evt_1", assignment_id="asg_1", phase="pre", title="Les", due_at=due
    )
    reminder = assignment_reminder(fact)
    assert reminder is not None
    assert reminder.id == "assignment:asg_1"
    assert (reminder.due_at, reminder.not_after) == (due - timedelta(hours=24), due)
    assert reminder.document() == {
        "kind": str(Kind.ASSIGNMENT_REMINDER),
        "event_id": "evt_1",
        "due_at": due - timedelta(hours=24),
        "not_after": due,
        "assignment_id": "asg_1",
        "task": "Les",
    }


def test_follow_up_work_is_not_recalled() -> None:
    fact = AssignmentAssigned(
        event_id="evt_1",
        assignment_id="asg_1",
        phase=AssignmentPhase.POST,
        title="Skriv",
        due_at=STARTS,
    )
    assert assignment_reminder(fact) is None


def test_an_event_is_recalled_as_long_before_as_it_says_or_a_day() -> None:
    own = event_reminder("evt_1", {"starts_at": STARTS, "reminder_minutes_before": 90})
    default = event_reminder("evt_1", {"starts_at": STARTS})
    assert own is not None
    assert default is not None
    assert own.id == "event:evt_1"
    assert (own.due_at, own.not_after) == (STARTS - timedelta(minutes=90), STARTS)
    assert default.due_at == STARTS - timedelta(hours=24)
    assert default.document() == {
        "kind": str(Kind.EVENT_REMINDER),
        "event_id": "evt_1",
        "due_at": STARTS - timedelta(hours=24),
        "not_after": STARTS,
    }


def test_a_cancelled_or_unknown_event_is_not_recalled() -> None:
    assert event_reminder("evt_1", {"starts_at": STARTS, "cancelled": True}) is None
    assert event_reminder("evt_1", None) is None


def test_late_comers_are_invited_to_announced_events_not_cancelled_ones() -> None:
    events: list[EventDoc] = [
        {"_id": "evt_1", "scheduled_id": "f1"},
        {"_id": "evt_2", "scheduled_id": "f2", "cancelled": True},
        {"_id": "evt_3"},  # known from an update before its announcement arrived
    ]
    assert [e["_id"] for e in invitable(events)] == ["evt_1"]


def test_registration_facts_name_their_notice_and_status() -> None:
    assert registration_notice(RegistrationConfirmed(**IDS, municipality_id="NO-1804")) == (
        Kind.REGISTRATION_CONFIRMED,
        "confirmed",
        {},
    )
    assert registration_notice(
        RegistrationCancelled(**IDS, municipality_id="NO-1804", cancelled_by="participant")
    )[1] == ("cancelled")
    waitlisted = RegistrationWaitlisted(**IDS, municipality_id="NO-1804", position=3)
    assert registration_notice(waitlisted) == (
        Kind.REGISTRATION_WAITLISTED,
        "waitlisted",
        {"position": 3},
    )


def test_a_seat_offered_with_a_deadline_leaves_the_registration_offered() -> None:
    expires = STARTS - timedelta(days=1)
    offered = RegistrationPromoted(**IDS, municipality_id="NO-1804", offer_expires_at=expires)
    assert registration_notice(offered) == (
        Kind.REGISTRATION_PROMOTED,
        "offered",
        {"offer_expires_at": expires.isoformat()},
    )
    confirmed = RegistrationPromoted(**IDS, municipality_id="NO-1804")
    assert registration_notice(confirmed) == (Kind.REGISTRATION_PROMOTED, "confirmed", {})


def test_union_keeps_everyone_once_and_the_first_mention() -> None:
    with_address = person("a", "a@example.no")
    assert union([with_address, person("b")], [person("a"), person("c")]) == [
        with_address,
        person("b"),
        person("c"),
    ]
