"""One person's place at one event: answers, seats, offers, cancellation and the
municipality's approval, each decision's new status and what it tells."""

from __future__ import annotations

from datetime import timedelta

import pytest
from samling_contracts.events import (
    ParticipantContactRecorded,
    RegistrationApproved,
    RegistrationAwaitingApproval,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationDecisionNoted,
    RegistrationDeclined,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from samling_events.domain import registrations as rules
from samling_events.domain.events import Question
from samling_events.domain.registrations import Applicant, Registration, RegistrationStatus
from samling_kernel.decisions import Refusal, Refused

from services.events.tests.unit.builders import NOW, STARTS, a_registration, an_event

CONFIRMED, PENDING = RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_APPROVAL
OFFERED, WAITLISTED = RegistrationStatus.OFFERED, RegistrationStatus.WAITLISTED
CANCELLED, DECLINED = RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED
EXPIRED = RegistrationStatus.OFFER_EXPIRED
ENDED = (CANCELLED, DECLINED, EXPIRED)

DIET = Question(id="diet", label="Mat?", required=True)
GROUP = Question(id="group", label="Gruppe", options=["Lesing", "Regning"])


# -- answers -----------------------------------------------------------------------------------
def test_answers_are_kept_trimmed_and_empty_ones_dropped() -> None:
    answers = {"diet": " Vegetar ", "group": "  "}
    assert rules.check_answers([DIET, GROUP], answers) == {"diet": "Vegetar"}


def test_a_required_question_must_be_answered() -> None:
    with pytest.raises(Refused, match="Please answer: Mat") as refused:
        rules.check_answers([DIET], {"diet": "   "})
    assert refused.value.kind is Refusal.INVALID


def test_an_answer_to_a_question_with_choices_must_be_one_of_them() -> None:
    assert rules.check_answers([GROUP], {"group": "Regning"}) == {"group": "Regning"}
    with pytest.raises(Refused, match="'Sang' is not one of the choices for 'Gruppe'") as refused:
        rules.check_answers([GROUP], {"group": "Sang"})
    assert refused.value.kind is Refusal.INVALID


def test_answers_to_questions_the_event_does_not_ask_are_refused() -> None:
    with pytest.raises(Refused, match="does not ask colour, shoe") as refused:
        rules.check_answers([DIET], {"diet": "Ingen", "shoe": "42", "colour": "rød"})
    assert refused.value.kind is Refusal.INVALID


# -- who someone is ----------------------------------------------------------------------------
def test_one_pseudonymous_participant_per_address_however_it_is_typed() -> None:
    secret = b"s"
    same = rules.participant_id_for(" Kari@Bodo.Kommune.no ", secret)
    assert same == rules.participant_id_for("kari@bodo.kommune.no", secret)
    assert same != rules.participant_id_for("kari@bodo.kommune.no", b"another secret")
    assert same.startswith("par_")
    assert "kari" not in same


def test_one_registration_id_per_person_and_event() -> None:
    first = rules.registration_id_for("evt_1", "par_1")
    assert first == rules.registration_id_for("evt_1", "par_1")
    assert first != rules.registration_id_for("evt_2", "par_1")
    assert first != rules.registration_id_for("evt_1", "par_2")


def test_the_contact_fact_carries_the_trimmed_name_and_the_normalised_address() -> None:
    applicant = Applicant(
        name=" Kari Nordmann ",
        email="Kari@Bodo.Kommune.no",
        municipality_id="NO-1804",
        role="Lærer",
        language="nn",
    )
    fact = rules.contact_fact("par_1", applicant, "https://samling.example/r/abc")
    assert isinstance(fact, ParticipantContactRecorded)
    assert (fact.name, fact.email, fact.language, fact.manage_url) == (
        "Kari Nordmann",
        "kari@bodo.kommune.no",
        "nn",
        "https://samling.example/r/abc",
    )


# -- admission and promotion -------------------------------------------------------------------
def test_a_seat_is_confirmed_and_no_seat_is_a_place_in_line() -> None:
    arrival = a_registration(WAITLISTED)
    seated = rules.admit(arrival, an_event(), 3, 0)
    assert (seated.state.status, seated.state.seat_no) == (CONFIRMED, 3)
    assert [type(f) for f in seated.facts] == [RegistrationConfirmed]
    waiting = rules.admit(arrival, an_event(), None, 2)
    assert (waiting.state.status, waiting.state.seat_no) == (WAITLISTED, None)
    (fact,) = list(waiting.facts)
    assert isinstance(fact, RegistrationWaitlisted)
    assert fact.position == 2


def test_promotion_confirms_at_once_when_the_event_asks_no_acceptance() -> None:
    change = rules.promote(a_registration(WAITLISTED), an_event(), 2, NOW)
    assert change is not None
    assert (change.state.status, change.state.seat_no, change.state.offer_expires_at) == (
        CONFIRMED,
        2,
        None,
    )
    assert [type(f) for f in change.facts] == [RegistrationPromoted, RegistrationConfirmed]


def test_promotion_offers_the_seat_for_the_events_hours() -> None:
    change = rules.promote(a_registration(WAITLISTED), an_event(offer_hours=24), 2, NOW)
    assert change is not None
    assert (change.state.status, change.state.offer_expires_at) == (
        OFFERED,
        NOW + timedelta(hours=24),
    )
    (fact,) = list(change.facts)
    assert isinstance(fact, RegistrationPromoted)
    assert fact.offer_expires_at == NOW + timedelta(hours=24)


def test_promotion_into_an_event_that_requires_approval_waits_for_it() -> None:
    change = rules.promote(a_registration(WAITLISTED), an_event(requires_approval=True), 2, NOW)
    assert change is not None
    assert change.state.status is PENDING
    promoted, awaiting = list(change.facts)
    assert isinstance(promoted, RegistrationPromoted)
    assert isinstance(awaiting, RegistrationAwaitingApproval)
    assert awaiting.reason == "event_requires_approval"


@pytest.mark.parametrize("status", [CONFIRMED, PENDING, OFFERED, *ENDED])
def test_only_a_waiting_registration_is_promoted(status: RegistrationStatus) -> None:
    assert rules.promote(a_registration(status), an_event(), 2, NOW) is None


# -- offers ------------------------------------------------------------------------------------
def _offered(expires_in: timedelta | None = timedelta(hours=1)) -> Registration:
    expires = None if expires_in is None else NOW + expires_in
    return a_registration(OFFERED, offer_expires_at=expires, seat_no=2)


def test_an_accepted_offer_is_confirmed_and_loses_its_deadline() -> None:
    change = rules.accept_offer(_offered(), an_event(), NOW)
    assert change is not None
    assert (change.state.status, change.state.offer_expires_at, change.state.seat_no) == (
        CONFIRMED,
        None,
        2,
    )
    assert [type(f) for f in change.facts] == [RegistrationConfirmed]
    assert rules.accept_offer(change.state, an_event(), NOW) is None


def test_an_offer_without_a_deadline_is_accepted_whenever() -> None:
    change = rules.accept_offer(_offered(None), an_event(), NOW + timedelta(days=300))
    assert change is not None
    assert change.state.status is CONFIRMED


def test_an_offer_accepted_at_an_event_that_requires_approval_waits_for_it() -> None:
    change = rules.accept_offer(_offered(), an_event(requires_approval=True), NOW)
    assert change is not None
    assert change.state.status is PENDING
    assert [type(f) for f in change.facts] == [RegistrationAwaitingApproval]


def test_an_offer_is_open_until_just_before_its_deadline() -> None:
    deadline = NOW + timedelta(hours=1)
    assert rules.accept_offer(_offered(), an_event(), deadline - timedelta(microseconds=1))
    with pytest.raises(Refused, match="offer has expired") as refused:
        rules.accept_offer(_offered(), an_event(), deadline)
    assert refused.value.kind is Refusal.CONFLICT


@pytest.mark.parametrize("status", [PENDING, WAITLISTED, *ENDED])
def test_only_an_offered_seat_is_accepted(status: RegistrationStatus) -> None:
    with pytest.raises(Refused, match="no open seat offer"):
        rules.accept_offer(a_registration(status), an_event(), NOW)


def test_an_offer_expires_at_its_deadline_and_gives_the_seat_back() -> None:
    deadline = NOW + timedelta(hours=1)
    assert rules.expire_offer(_offered(), deadline - timedelta(microseconds=1)) is None
    change = rules.expire_offer(_offered(), deadline)
    assert change is not None
    assert (change.state.status, change.state.seat_no) == (EXPIRED, None)
    (fact,) = list(change.facts)
    assert isinstance(fact, RegistrationCancelled)
    assert fact.cancelled_by == "system"


def test_only_an_offer_with_a_deadline_expires() -> None:
    later = NOW + timedelta(days=30)
    assert rules.expire_offer(_offered(None), later) is None
    assert rules.expire_offer(a_registration(CONFIRMED), later) is None


# -- cancelling --------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [CONFIRMED, PENDING, OFFERED, WAITLISTED])
def test_a_cancellation_ends_any_active_registration_and_frees_its_seat(
    status: RegistrationStatus,
) -> None:
    change = rules.cancel(a_registration(status), an_event(), "participant", NOW)
    assert change is not None
    state = change.state
    assert (state.status, state.seat_no, state.offer_expires_at, state.cancelled_by) == (
        CANCELLED,
        None,
        None,
        "participant",
    )
    (fact,) = list(change.facts)
    assert isinstance(fact, RegistrationCancelled)
    assert (fact.registration_id, fact.cancelled_by) == ("reg_1", "participant")


@pytest.mark.parametrize("status", ENDED)
def test_an_ended_registration_is_not_cancelled_again(status: RegistrationStatus) -> None:
    assert rules.cancel(a_registration(status), an_event(), "organiser", NOW) is None


def test_a_participant_cancels_until_the_deadline_itself_the_organiser_after_it() -> None:
    deadline = STARTS - timedelta(days=1)
    event = an_event(cancellation_deadline=deadline)
    assert rules.cancel(a_registration(), event, "participant", deadline) is not None
    late = deadline + timedelta(seconds=1)
    with pytest.raises(Refused, match="cancellation deadline has passed") as refused:
        rules.cancel(a_registration(), event, "participant", late)
    assert refused.value.kind is Refusal.CONFLICT
    by_organiser = rules.cancel(a_registration(), event, "organiser", late)
    assert by_organiser is not None
    assert by_organiser.state.cancelled_by == "organiser"


# -- approval ----------------------------------------------------------------------------------
def test_an_approval_confirms_and_tells_the_participant_the_note() -> None:
    change = rules.approve(a_registration(PENDING), "Velkommen!")
    assert change is not None
    assert (change.state.status, change.state.decision_note) == (CONFIRMED, "Velkommen!")
    approved, confirmed, noted = list(change.facts)
    assert isinstance(approved, RegistrationApproved)
    assert isinstance(confirmed, RegistrationConfirmed)
    assert isinstance(noted, RegistrationDecisionNoted)
    assert (noted.decision, noted.note, noted.participant_id) == ("approved", "Velkommen!", "par_1")


def test_an_approval_without_a_note_notes_nothing() -> None:
    change = rules.approve(a_registration(PENDING))
    assert change is not None
    assert [type(f) for f in change.facts] == [RegistrationApproved, RegistrationConfirmed]
    assert rules.approve(change.state) is None


@pytest.mark.parametrize("status", [OFFERED, WAITLISTED, *ENDED])
def test_only_a_registration_waiting_for_approval_is_approved(status: RegistrationStatus) -> None:
    with pytest.raises(Refused, match=f"can be approved \\({status}\\)"):
        rules.approve(a_registration(status))


def test_a_decline_frees_the_seat_and_tells_the_note() -> None:
    change = rules.decline(a_registration(PENDING, seat_no=3), "Ikke ansatt hos oss")
    assert change is not None
    assert (change.state.status, change.state.seat_no) == (DECLINED, None)
    declined, noted = list(change.facts)
    assert isinstance(declined, RegistrationDeclined)
    assert isinstance(noted, RegistrationDecisionNoted)
    assert (noted.decision, noted.note) == ("declined", "Ikke ansatt hos oss")
    assert rules.decline(change.state) is None


def test_a_decline_without_a_note_notes_nothing() -> None:
    change = rules.decline(a_registration(PENDING), "")
    assert change is not None
    assert [type(f) for f in change.facts] == [RegistrationDeclined]


@pytest.mark.parametrize("status", [CONFIRMED, OFFERED, WAITLISTED, CANCELLED, EXPIRED])
def test_only_a_registration_waiting_for_approval_is_declined(status: RegistrationStatus) -> None:
    with pytest.raises(Refused, match=f"can be declined \\({status}\\)"):
        rules.decline(a_registration(status))
