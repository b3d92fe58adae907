"""Pure rules of transfer plans: when they are offered, their schedule, two-party consent and
the SMTTE draft."""

from datetime import UTC, datetime, timedelta

import pytest
from samling_contracts.transfer import TransferManagerNamed, TransferPlanCreated
from samling_contracts.vocabulary import EventKind, TransferConversation
from samling_events.domain.events import Event, EventDetails, draft_event
from samling_events.domain.registrations import Registration, RegistrationStatus
from samling_events.domain.transfer.forms import FORMS, Smtte
from samling_events.domain.transfer.notes import NewNote, smtte_draft, write_note
from samling_events.domain.transfer.plans import (
    Manager,
    create_plan,
    offers_transfer,
    reschedule_plan,
)
from samling_events.domain.transfer.sharing import (
    Audience,
    ConsentRecord,
    Party,
    agree,
    propose,
    sharing,
    withdraw,
)
from samling_kernel.decisions import Refusal, Refused

START = datetime(2027, 2, 10, 8, 0, tzinfo=UTC)
BEFORE = TransferConversation.BEFORE
AFTER = TransferConversation.AFTER
COORDINATORS = Audience.COORDINATORS


def event(kind: EventKind, days: int = 0, transfer_plans: bool | None = None) -> Event:
    details = EventDetails(
        title="Lederutdanning, modul 1",
        venue="Aalborg",
        capacity=20,
        transfer_plans=transfer_plans,
    )
    return draft_event(
        "evt_1",
        region_id="r",
        network_id=None,
        kind=kind,
        starts_at=START,
        ends_at=START + timedelta(days=days, hours=6),
        timezone="Europe/Copenhagen",
        details=details,
        created_by="u",
    ).state


@pytest.mark.parametrize(
    ("kind", "days", "choice", "offered"),
    [
        (EventKind.COURSE_SEMINAR, 0, None, True),
        (EventKind.NETWORK_MEETING, 0, None, False),
        (EventKind.WORKSHOP, 2, None, True),  # a multi-day programme
        (EventKind.COURSE_SEMINAR, 0, False, False),
        (EventKind.WEBINAR, 0, True, True),
    ],
)
def test_plans_are_on_for_courses_and_multi_day_programmes_unless_the_event_says(
    kind: EventKind, days: int, choice: bool | None, offered: bool
) -> None:
    assert offers_transfer(event(kind, days, choice)) is offered


def registration(status: RegistrationStatus = RegistrationStatus.CONFIRMED) -> Registration:
    return Registration(
        id="reg_1",
        event_id="evt_1",
        participant_id="par_1",
        municipality_id="DK-851",
        role="Leder",
        member=True,
        status=status,
        arrived_at=START,
        arrival_seq=1,
    )


MANAGER = Manager(name="Ola Leder", email="ola@aalborg.dk")


def test_a_plan_is_due_before_at_the_midpoint_and_a_while_after_and_moves_with_the_event() -> None:
    course = event(EventKind.COURSE_SEMINAR, days=2)
    now = START - timedelta(days=20)
    change = create_plan(
        course,
        registration(),
        MANAGER,
        key="k1",
        manager_url="https://x/t/1",
        now=now,
        after=timedelta(days=30),
    )
    plan = change.state
    assert (plan.before_due_at, plan.during_due_at, plan.after_due_at) == (
        now,
        START + timedelta(days=1, hours=3),
        START + timedelta(days=32, hours=6),
    )
    created, named = change.facts
    assert isinstance(created, TransferPlanCreated)
    assert isinstance(named, TransferManagerNamed)
    assert named.spec().topic.name.endswith(".restricted")
    assert named.event_id == course.id  # the manager's mail names the event
    assert "ola@aalborg.dk" not in created.model_dump_json()

    moved = course.model_copy(
        update={"starts_at": START + timedelta(days=7), "ends_at": START + timedelta(days=9)}
    )
    rescheduled = reschedule_plan(plan, moved, timedelta(days=30))
    assert rescheduled is not None
    assert rescheduled.state.during_due_at == START + timedelta(days=8)
    assert rescheduled.state.before_due_at == now
    assert reschedule_plan(rescheduled.state, moved, timedelta(days=30)) is None


def test_a_plan_needs_a_confirmed_registration_at_an_event_that_offers_it() -> None:
    def make(kind: EventKind, status: RegistrationStatus) -> object:
        return create_plan(
            event(kind),
            registration(status),
            MANAGER,
            key="k",
            manager_url="u",
            now=START,
            after=timedelta(days=30),
        )

    with pytest.raises(Refused) as not_offered:
        make(EventKind.NETWORK_MEETING, RegistrationStatus.CONFIRMED)
    assert not_offered.value.kind is Refusal.NOT_FOUND
    with pytest.raises(Refused):
        make(EventKind.COURSE_SEMINAR, RegistrationStatus.WAITLISTED)


DECIDE = {"propose": propose, "agree": agree}


def records_after(*steps: tuple[str, Party]) -> list[ConsentRecord]:
    """Apply propose/agree/withdraw in order, as the store would keep them."""
    records: list[ConsentRecord] = []
    for action, by in steps:
        state = sharing(records, BEFORE, COORDINATORS)
        made = withdraw(state) if action == "withdraw" else DECIDE[action](state, by)
        if made is not None:
            records.append(made)
    return records


P, M = Party.PARTICIPANT, Party.MANAGER


def shared(records: list[ConsentRecord]) -> bool:
    return sharing(records, BEFORE, COORDINATORS).shared


def test_shared_only_once_both_agreed_and_hidden_again_by_either_withdrawal() -> None:
    assert not shared(records_after(("propose", P)))
    assert sharing(records_after(("propose", P)), BEFORE, COORDINATORS).proposed_by() is P
    assert shared(records_after(("propose", P), ("agree", M)))
    assert not shared(records_after(("propose", P), ("agree", M), ("withdraw", M)))
    assert not shared(records_after(("propose", M), ("agree", P), ("withdraw", P)))
    # A new proposal after a withdrawal needs the other's agreement again.
    again = records_after(("propose", P), ("agree", M), ("withdraw", M), ("propose", P))
    assert not shared(again)
    assert shared([*again, ConsentRecord(BEFORE, COORDINATORS, 1, M)])
    # Sharing with the coordinators says nothing about a report draft or another conversation.
    both = records_after(("propose", P), ("agree", M))
    assert not sharing(both, BEFORE, Audience.REPORT_DRAFT).shared
    assert not sharing(both, AFTER, COORDINATORS).shared


def test_agreeing_needs_a_proposal_and_withdrawing_needs_something_to_withdraw() -> None:
    with pytest.raises(Refused):
        records_after(("agree", M))
    with pytest.raises(Refused):
        records_after(("propose", P), ("agree", M), ("withdraw", P), ("withdraw", M))


def test_an_agreement_that_lands_after_a_withdrawal_shares_nothing() -> None:
    proposed = records_after(("propose", P))
    late_agreement = agree(sharing(proposed, BEFORE, COORDINATORS), M)
    withdrawn = [*proposed, withdraw(sharing(proposed, BEFORE, COORDINATORS))]
    assert late_agreement is not None
    assert not shared([*withdrawn, late_agreement])


def test_the_forms_keep_the_seeds_structure_and_every_smtte_element() -> None:
    for conversation, fields in FORMS.items():
        ids = [f.id for f in fields]
        assert len(ids) == len(set(ids)), conversation
        assert {f.element for f in fields} == set(Smtte), conversation
    assert [f.id for f in FORMS[AFTER]][:4] == [
        "effect",
        "went_well",
        "went_less_well",
        "new_goals",
    ]


def test_a_report_draft_puts_each_note_under_its_smtte_heading_in_order() -> None:
    notes = [
        write_note("n2", "p", AFTER, NewNote(field="effect", text="Mer lesing."), M, START),
        write_note("n1", "p", AFTER, NewNote(field="new_goals", text="Alle fag."), P, START),
        write_note(
            "n3", "p", AFTER, NewNote(field="went_well", text="Kollegaveiledning."), P, START
        ),
        write_note("n4", "p", BEFORE, NewNote(field="goals_me", text="Annen samtale."), P, START),
    ]
    draft = smtte_draft(AFTER, notes)
    assert draft.goals == ["Alle fag."]
    assert draft.evaluation == ["Mer lesing.", "Kollegaveiledning."]
    assert draft.context == draft.signs == draft.actions == []


def test_a_note_must_answer_a_field_of_its_conversation() -> None:
    with pytest.raises(Refused) as wrong:
        write_note("n", "p", BEFORE, NewNote(field="effect", text="x"), P, START)
    assert wrong.value.kind is Refusal.INVALID
