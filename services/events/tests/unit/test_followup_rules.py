"""What follows a registration: check-in at the door, assignments and their due time, part 3's
groups moved by hand, and a participant's erasure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from samling_contracts.events import (
    AssignmentAssigned,
    AssignmentDue,
    AttendanceRecorded,
    ParticipantAnonymised,
    ParticipantErased,
)
from samling_contracts.vocabulary import AssignmentPhase
from samling_events.domain import conference, participants
from samling_events.domain.events import EventStatus
from samling_events.domain.registrations import Registration, RegistrationStatus
from samling_kernel.decisions import Refusal, Refused

from services.events.tests.unit.builders import BODO, NOW, STARTS, a_registration, an_event

CHECK_IN_OPENS = STARTS - timedelta(hours=2)


# -- attendance --------------------------------------------------------------------------------
def test_check_in_opens_two_hours_before_the_start() -> None:
    change = conference.record_attendance(a_registration(), an_event(), True, CHECK_IN_OPENS)
    assert change is not None
    assert change.state.attended is True
    (fact,) = list(change.facts)
    assert isinstance(fact, AttendanceRecorded)
    assert (fact.registration_id, fact.municipality_id, fact.attended) == ("reg_1", "NO-1840", True)
    with pytest.raises(Refused, match="opens two hours before") as refused:
        conference.record_attendance(
            a_registration(), an_event(), True, CHECK_IN_OPENS - timedelta(seconds=1)
        )
    assert refused.value.kind is Refusal.CONFLICT


def test_an_absence_is_recorded_too_and_the_same_mark_twice_says_nothing() -> None:
    present = a_registration(attended=True)
    absent = conference.record_attendance(present, an_event(), False, STARTS)
    assert absent is not None
    assert absent.state.attended is False
    assert conference.record_attendance(absent.state, an_event(), False, STARTS) is None


@pytest.mark.parametrize(
    "status",
    [
        RegistrationStatus.PENDING_APPROVAL,
        RegistrationStatus.OFFERED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.CANCELLED,
    ],
)
def test_only_confirmed_participants_are_checked_in(status: RegistrationStatus) -> None:
    with pytest.raises(Refused, match="Only confirmed participants"):
        conference.record_attendance(a_registration(status), an_event(), True, STARTS)


def test_nobody_is_checked_in_at_a_cancelled_event() -> None:
    with pytest.raises(Refused, match="was cancelled"):
        conference.record_attendance(
            a_registration(), an_event(EventStatus.CANCELLED), True, STARTS
        )


# -- assignments -------------------------------------------------------------------------------
def test_an_assignment_is_trimmed_and_announced() -> None:
    due = STARTS - timedelta(days=1)
    change = conference.assign("asg_1", "evt_1", AssignmentPhase.PRE, " Forarbeid ", " Les ", due)
    assert (change.state.title, change.state.description, change.state.due_announced) == (
        "Forarbeid",
        "Les",
        False,
    )
    (fact,) = list(change.facts)
    assert isinstance(fact, AssignmentAssigned)
    assert (fact.assignment_id, fact.phase, fact.title, fact.due_at) == (
        "asg_1",
        AssignmentPhase.PRE,
        "Forarbeid",
        due,
    )


def test_an_assignment_is_announced_due_once_its_time_has_come_and_only_once() -> None:
    due = NOW + timedelta(days=1)
    assignment = conference.assign("asg_1", "evt_1", AssignmentPhase.POST, "Etterarbeid", "", due)
    assert conference.announce_due(assignment.state, due - timedelta(seconds=1)) is None
    change = conference.announce_due(assignment.state, due)
    assert change is not None
    assert change.state.due_announced
    (fact,) = list(change.facts)
    assert isinstance(fact, AssignmentDue)
    assert (fact.assignment_id, fact.due_at) == ("asg_1", due)
    assert conference.announce_due(change.state, due + timedelta(days=1)) is None


# -- groups ------------------------------------------------------------------------------------
def _people(count: int) -> list[Registration]:
    return [a_registration(n=n, municipality_id=BODO if n % 2 else "NO-1840") for n in range(count)]


@pytest.mark.parametrize("size", [1, 0, -3])
def test_a_group_needs_at_least_two_people(size: int) -> None:
    with pytest.raises(Refused, match="at least two people") as refused:
        conference.allocate_groups("evt_1", _people(4), size)
    assert refused.value.kind is Refusal.INVALID


def test_only_confirmed_people_are_grouped_and_nobody_makes_no_group() -> None:
    people = [*_people(2), a_registration(RegistrationStatus.WAITLISTED, n=7)]
    groups = conference.allocate_groups("evt_1", people, 2)
    assert [g.registration_ids for g in groups.groups] == [["reg_1", "reg_0"]]
    assert conference.allocate_groups("evt_1", [], 3).groups == []


def test_a_move_to_the_group_one_is_in_already_changes_nothing() -> None:
    groups = conference.allocate_groups("evt_1", _people(4), 2)
    first = groups.groups[0].registration_ids[0]
    assert conference.move_to_group(groups, first, 0) is None


@pytest.mark.parametrize("group", [-1, 2])
def test_a_move_names_an_existing_group(group: int) -> None:
    groups = conference.allocate_groups("evt_1", _people(4), 2)
    with pytest.raises(Refused, match="There are groups 0 to 1") as refused:
        conference.move_to_group(groups, "reg_0", group)
    assert refused.value.kind is Refusal.INVALID


def test_a_move_of_someone_in_no_group_is_not_found() -> None:
    groups = conference.allocate_groups("evt_1", _people(4), 2)
    with pytest.raises(Refused, match="not in any group") as refused:
        conference.move_to_group(groups, "reg_99", 0)
    assert refused.value.kind is Refusal.NOT_FOUND


def test_a_move_of_someone_who_lost_their_seat_is_let_go_when_groups_are_dealt_again() -> None:
    groups = conference.allocate_groups("evt_1", _people(4), 2)
    moved = conference.move_to_group(groups, "reg_0", 1)
    assert moved is not None
    again = conference.allocate_groups("evt_1", _people(4)[1:], 2, moved.state.moves)
    assert again.moves == {}
    assert "reg_0" not in {r for g in again.groups for r in g.registration_ids}


# -- erasure -----------------------------------------------------------------------------------
def test_an_erasure_and_an_anonymisation_are_recorded_and_told_by_id() -> None:
    erased = participants.erase("par_1", NOW)
    assert (erased.state.participant_id, erased.state.requested_at) == ("par_1", NOW)
    (erasure,) = list(erased.facts)
    assert isinstance(erasure, ParticipantErased)
    assert erasure.participant_id == "par_1"
    anonymised = participants.anonymise("par_1", NOW)
    assert anonymised.state.anonymised_at == NOW
    (anonymisation,) = list(anonymised.facts)
    assert isinstance(anonymisation, ParticipantAnonymised)
    assert anonymisation.participant_id == "par_1"


def test_a_scrubbed_registration_keeps_counts_and_drops_the_person_once() -> None:
    reg = a_registration(
        answers={"diet": "Vegetar"}, attended=True, decision_note="Velkommen, Kari"
    )
    change = participants.scrub(reg)
    assert change is not None
    scrubbed = change.state
    assert (scrubbed.participant_id, scrubbed.role, scrubbed.answers, scrubbed.decision_note) == (
        participants.ANONYMOUS,
        "",
        {},
        None,
    )
    assert (scrubbed.municipality_id, scrubbed.status, scrubbed.attended, scrubbed.erased) == (
        "NO-1840",
        RegistrationStatus.CONFIRMED,
        True,
        True,
    )
    assert list(change.facts) == []
    assert participants.scrub(scrubbed) is None
