"""Pure rules: who may take a member seat without an account, and what a held seat tells."""

from datetime import UTC, datetime, timedelta

import pytest
from samling_contracts.events import (
    RegistrationAwaitingApproval,
    RegistrationConfirmed,
    RegistrationPromoted,
)
from samling_contracts.vocabulary import EventKind
from samling_events.domain.events import Event, EventDetails, draft_event
from samling_events.domain.registrations import (
    Registration,
    RegistrationStatus,
    admit,
    approve,
    claim_needs_approval,
    promote,
)

START = datetime(2027, 2, 10, 8, 0, tzinfo=UTC)
BODO = frozenset({"bodo.kommune.no"})


@pytest.mark.parametrize(
    ("member", "email", "needs"),
    [
        (True, "kari@bodo.kommune.no", False),
        (True, "  Kari@BODO.Kommune.no ", False),
        (True, "kari@example.no", True),
        (True, "kari@skole.bodo.kommune.no", True),  # only the registered domains themselves
        (True, "kari@bodo.kommune.no.evil.example", True),
        (True, "kari@kommune.no", True),
        (False, "kari@example.no", False),  # a non-member's open seat claims nothing
    ],
)
def test_a_claim_to_a_member_seat_is_backed_by_the_municipalitys_domains(
    member: bool, email: str, needs: bool
) -> None:
    assert claim_needs_approval(member=member, email=email, email_domains=BODO) is needs


def test_a_municipality_without_domains_approves_every_claim() -> None:
    assert claim_needs_approval(member=True, email="kari@bodo.kommune.no", email_domains=())


def _event(**details: object) -> Event:
    return draft_event(
        "evt_1",
        region_id="r",
        network_id="n",
        kind=EventKind.WORKSHOP,
        starts_at=START + timedelta(days=9),
        ends_at=START + timedelta(days=9, hours=6),
        timezone="Europe/Oslo",
        details=EventDetails(title="Verksted", venue="Bodø", capacity=10, **details),
        created_by="u",
    ).state


def _reg(*, unverified: bool) -> Registration:
    return Registration(
        id="reg_1",
        event_id="evt_1",
        participant_id="par_1",
        municipality_id="NO-1804",
        role="Lærer",
        member=True,
        unverified_claim=unverified,
        status=RegistrationStatus.WAITLISTED,
        arrived_at=START,
        arrival_seq=1,
    )


def test_an_unverified_claim_holds_its_seat_pending_and_says_so() -> None:
    seated = admit(_reg(unverified=True), _event(), seat_no=3, position=0)
    assert (seated.state.status, seated.state.seat_no) == (RegistrationStatus.PENDING_APPROVAL, 3)
    (fact,) = seated.facts
    assert isinstance(fact, RegistrationAwaitingApproval)
    assert fact.reason == "unverified_municipality"
    approved = approve(seated.state)
    assert approved is not None
    assert approved.state.status is RegistrationStatus.CONFIRMED

    backed = admit(_reg(unverified=False), _event(), seat_no=3, position=0)
    assert [type(f) for f in backed.facts] == [RegistrationConfirmed]


def test_an_event_that_approves_everyone_now_tells_the_municipality_too() -> None:
    seated = admit(_reg(unverified=False), _event(requires_approval=True), seat_no=1, position=0)
    (fact,) = seated.facts
    assert isinstance(fact, RegistrationAwaitingApproval)
    assert fact.reason == "event_requires_approval"


def test_promotion_from_the_waiting_list_keeps_the_claim_unverified() -> None:
    promoted = promote(_reg(unverified=True), _event(), seat_no=2, now=START)
    assert promoted is not None
    assert promoted.state.status is RegistrationStatus.PENDING_APPROVAL
    assert [type(f) for f in promoted.facts] == [
        RegistrationPromoted,
        RegistrationAwaitingApproval,
    ]
