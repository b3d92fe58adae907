"""Transfer plans' facts: the public ones carry ids and times only; the manager's contact goes
to the restricted topic alone; none has room for what was said in a conversation."""

from datetime import UTC, datetime

from samling_contracts import CloudEvent, envelope
from samling_contracts.topics import PARTICIPANTS_RESTRICTED, REGISTRATIONS
from samling_contracts.transfer import (
    TransferConversationHeld,
    TransferManagerNamed,
    TransferPlanCreated,
    TransferPlanRescheduled,
)
from samling_contracts.vocabulary import TransferConversation

AT = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
IDS = {
    "plan_id": "trp_reg_1",
    "registration_id": "reg_1",
    "event_id": "evt_1",
    "participant_id": "par_1",
}


def test_public_transfer_facts_carry_ids_and_times_only() -> None:
    facts = [
        TransferPlanCreated(
            **IDS, municipality_id="DK-851", before_due_at=AT, during_due_at=AT, after_due_at=AT
        ),
        TransferPlanRescheduled(**IDS, during_due_at=AT, after_due_at=AT),
        TransferConversationHeld(
            **IDS, municipality_id="DK-851", conversation=TransferConversation.AFTER, held_at=AT
        ),
    ]
    for fact in facts:
        assert fact.spec().topic == REGISTRATIONS
        event = envelope(fact, source="/samling/events")
        assert event.subject == "trp_reg_1"
        assert fact.partition_key() == "evt_1"  # ordered with the registration's own facts
        assert CloudEvent.from_json(event.to_json()).fact() == fact
        extra = set(fact.model_dump()) - set(IDS) - {"municipality_id", "conversation"}
        assert all(name.endswith("_at") for name in extra), extra


def test_the_managers_contact_goes_to_the_restricted_topic_only() -> None:
    fact = TransferManagerNamed(
        plan_id="trp_reg_1",
        participant_id="par_1",
        name="Ola Leder",
        email="ola@aalborg.dk",
        language="da",
        manager_url="https://samling.no/t/x",
    )
    assert fact.spec().topic == PARTICIPANTS_RESTRICTED
    assert fact.partition_key() == "par_1"
    personal = {
        name
        for name, field in TransferManagerNamed.model_fields.items()
        if field.json_schema_extra == {"x-personal-data": True}
    }
    assert personal == {"name", "email"}


def test_the_manager_named_fact_may_name_its_event_and_reads_without_it() -> None:
    """``event_id`` came later (the manager's mail names the event): optional, so a fact
    published before it still reads, and a new one round-trips with it."""
    fields = {
        "plan_id": "trp_reg_1",
        "participant_id": "par_1",
        "name": "Ola Leder",
        "email": "ola@aalborg.dk",
        "language": "da",
        "manager_url": "https://samling.no/t/x",
    }
    older = CloudEvent.from_json(envelope(TransferManagerNamed(**fields), source="/t").to_json())
    assert isinstance(older.fact(), TransferManagerNamed)
    assert older.fact().event_id is None  # type: ignore[attr-defined]
    newer = TransferManagerNamed(**fields, event_id="evt_1")
    event = envelope(newer, source="/samling/events")
    assert CloudEvent.from_json(event.to_json()).fact() == newer
    assert "event_id" not in TransferManagerNamed.model_json_schema().get("required", [])
