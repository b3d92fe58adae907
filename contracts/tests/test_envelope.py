"""The envelope: structured CloudEvents that the official SDK reads, and no personal data in public."""

from typing import Any

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_structured
from cloudevents.core.formats.json import JSONFormat
from pydantic import ValidationError
from samling_contracts import ALL_TOPICS, CONTENT_TYPE, REGISTRY, CloudEvent, envelope
from samling_contracts.events import RegistrationConfirmed
from samling_contracts.facts import UnknownFactType

PERSONAL_FIELD_NAMES = {"email", "phone", "contacts", "participant_name"}


def test_envelope_parses_with_the_cloudevents_sdk() -> None:
    fact = RegistrationConfirmed(
        registration_id="reg_1", event_id="evt_1", participant_id="par_1", municipality_id="NO-1804"
    )
    event = envelope(fact, source="/samling/events")
    message = KafkaMessage(
        headers={"content-type": CONTENT_TYPE.encode()}, key=b"evt_1", value=event.to_json()
    )
    parsed = from_structured(message, JSONFormat())
    assert parsed.get_type() == "no.samling.events.registration.confirmed.v1"
    assert parsed.get_id() == event.id
    assert parsed.get_subject() == "reg_1"
    assert parsed.get_extension("partitionkey") == "evt_1"
    data = parsed.get_data()
    assert isinstance(data, dict)
    assert data["municipality_id"] == "NO-1804"


def test_round_trip_gives_the_typed_fact() -> None:
    fact = RegistrationConfirmed(
        registration_id="reg_1", event_id="evt_1", participant_id="par_1", municipality_id="NO-1804"
    )
    assert CloudEvent.from_json(envelope(fact, source="/x").to_json()).fact() == fact


def test_unknown_type_and_bad_data_are_distinguishable() -> None:
    event = envelope(
        RegistrationConfirmed(
            registration_id="r", event_id="e", participant_id="p", municipality_id="NO-1804"
        ),
        source="/x",
    )
    with pytest.raises(UnknownFactType):
        event.model_copy(update={"type": "no.samling.unknown.v1"}).fact()
    with pytest.raises(ValidationError):
        event.model_copy(update={"data": {"event_id": "e"}}).fact()


def _personal_fields(schema: dict[str, Any]) -> set[str]:
    marked = set()
    for definition in [schema, *schema.get("$defs", {}).values()]:
        for name, prop in definition.get("properties", {}).items():
            if prop.get("x-personal-data") or name in PERSONAL_FIELD_NAMES:
                marked.add(name)
    return marked


def test_personal_data_only_on_restricted_topics() -> None:
    for type_, cls in REGISTRY.items():
        personal = _personal_fields(cls.model_json_schema())
        if cls.spec().topic.restricted:
            assert personal, f"{type_} is restricted but marks no personal data"
        else:
            assert personal == set(), type_


def test_every_fact_is_on_a_known_topic_with_versioned_past_tense_type() -> None:
    for type_, cls in REGISTRY.items():
        assert cls.spec().topic in ALL_TOPICS
        assert type_.startswith("no.samling.")
        assert type_.rsplit(".", 1)[1].startswith("v")
        assert cls.spec().version >= 1
