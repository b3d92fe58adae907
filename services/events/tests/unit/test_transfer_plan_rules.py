"""A transfer plan after it was made: a manager named anew, a conversation marked held, a
consent given twice (the rules test_transfer.py does not reach)."""

from __future__ import annotations

from datetime import timedelta

from samling_contracts.transfer import TransferConversationHeld, TransferManagerNamed
from samling_contracts.vocabulary import EventKind, TransferConversation
from samling_events.domain.transfer import plans
from samling_events.domain.transfer.plans import Manager, TransferPlan
from samling_events.domain.transfer.sharing import (
    Audience,
    ConsentRecord,
    Party,
    agree,
    propose,
    record_id,
    sharing,
)

from services.events.tests.unit.builders import NOW, a_registration, an_event

DURING = TransferConversation.DURING
OLA = Manager(name="Ola Leder", email="ola@bodo.kommune.no")


def _plan() -> TransferPlan:
    return plans.create_plan(
        an_event(kind=EventKind.COURSE_SEMINAR),
        a_registration(),
        OLA,
        key="k1",
        manager_url="https://samling.example/t/k1",
        now=NOW,
        after=timedelta(days=30),
    ).state


def test_the_same_manager_named_again_changes_nothing() -> None:
    assert plans.rename_manager(_plan(), OLA, key="k2", manager_url="https://x/t/k2") is None


def test_a_new_manager_gets_a_new_key_and_is_told_privately() -> None:
    kari = Manager(name="Kari Leder", email="kari@bodo.kommune.no")
    change = plans.rename_manager(_plan(), kari, key="k2", manager_url="https://x/t/k2")
    assert change is not None
    renamed = change.state
    assert (renamed.manager_name, renamed.manager_email, renamed.manager_key) == (
        "Kari Leder",
        "kari@bodo.kommune.no",
        "k2",
    )
    (fact,) = list(change.facts)
    assert isinstance(fact, TransferManagerNamed)
    assert (fact.email, fact.manager_url, fact.plan_id) == (
        "kari@bodo.kommune.no",
        "https://x/t/k2",
        renamed.id,
    )
    assert fact.spec().topic.name.endswith(".restricted")


def test_a_new_address_alone_is_a_new_manager() -> None:
    moved = Manager(name="Ola Leder", email="ola.leder@bodo.kommune.no")
    change = plans.rename_manager(_plan(), moved, key="k3", manager_url="https://x/t/k3")
    assert change is not None
    assert (change.state.manager_email, change.state.manager_key) == (
        "ola.leder@bodo.kommune.no",
        "k3",
    )


def test_a_held_conversation_is_marked_once_under_its_own_id_and_told_by_ids() -> None:
    plan = _plan()
    later = NOW + timedelta(days=12)
    change = plans.mark_held(plan, DURING, Party.MANAGER, later)
    mark = change.state
    assert (mark.plan_id, mark.conversation, mark.by, mark.at) == (
        plan.id,
        DURING,
        Party.MANAGER,
        later,
    )
    assert plans.held_id(plan.id, DURING) == f"{plan.id}:during"
    (fact,) = list(change.facts)
    assert isinstance(fact, TransferConversationHeld)
    assert (fact.plan_id, fact.registration_id, fact.conversation, fact.held_at) == (
        plan.id,
        "reg_1",
        DURING,
        later,
    )
    assert "ola" not in fact.model_dump_json().lower()


def test_a_plan_is_one_per_registration() -> None:
    assert _plan().id == plans.plan_id_of("reg_1") == "trp_reg_1"


def test_a_consent_given_twice_is_recorded_once() -> None:
    proposed = ConsentRecord(DURING, Audience.REPORT_DRAFT, 0, Party.PARTICIPANT)
    state = sharing([proposed], DURING, Audience.REPORT_DRAFT)
    assert propose(state, Party.PARTICIPANT) is None
    assert state.proposed_by() is Party.PARTICIPANT
    assert Party.PARTICIPANT.other is Party.MANAGER
    assert Party.MANAGER.other is Party.PARTICIPANT


def test_an_agreement_given_twice_is_recorded_once() -> None:
    both = [
        ConsentRecord(DURING, Audience.COORDINATORS, 0, Party.PARTICIPANT),
        ConsentRecord(DURING, Audience.COORDINATORS, 0, Party.MANAGER),
    ]
    state = sharing(both, DURING, Audience.COORDINATORS)
    assert state.shared
    assert agree(state, Party.MANAGER) is None
    assert state.proposed_by() is None


def test_nothing_proposed_is_proposed_by_nobody() -> None:
    assert sharing([], DURING, Audience.COORDINATORS).proposed_by() is None


def test_each_consent_record_has_an_id_per_round_and_party() -> None:
    ids = {
        record_id("trp_reg_1", DURING, Audience.COORDINATORS, round_, by)
        for round_ in (0, 1)
        for by in ("participant", "manager", "withdrawn")
    }
    assert len(ids) == 6
    assert "trp_reg_1:during:coordinators:1:withdrawn" in ids
