"""The facts behind "who may take a member seat": municipalities' e-mail domains and the
registration that waits for its municipality."""

import pytest
from pydantic import ValidationError
from samling_contracts import CloudEvent, envelope
from samling_contracts.events import RegistrationAwaitingApproval
from samling_contracts.network import MunicipalityEmailDomainsChanged
from samling_contracts.topics import MUNICIPALITIES, REGISTRATIONS


def test_email_domains_are_lower_case_host_names() -> None:
    fact = MunicipalityEmailDomainsChanged(
        municipality_id="NO-1804", email_domains=["bodo.kommune.no", "xn--bod-2na.no"]
    )
    assert CloudEvent.from_json(envelope(fact, source="/x").to_json()).fact() == fact
    assert fact.spec().topic == MUNICIPALITIES
    for bad in ["Bodo.kommune.no", "bodo", "-bodo.no", "bodo..no", "kari@bodo.no", "bodo.no."]:
        with pytest.raises(ValidationError):
            MunicipalityEmailDomainsChanged(municipality_id="NO-1804", email_domains=[bad])


def test_awaiting_approval_carries_ids_and_the_reason_only() -> None:
    fact = RegistrationAwaitingApproval(
        registration_id="reg_1",
        event_id="evt_1",
        participant_id="par_1",
        municipality_id="NO-1804",
        reason="unverified_municipality",
    )
    event = envelope(fact, source="/samling/events")
    assert event.subject == "reg_1"
    assert CloudEvent.from_json(event.to_json()).fact() == fact
    assert fact.spec().topic == REGISTRATIONS
    assert set(fact.model_dump()) == {
        "registration_id",
        "event_id",
        "participant_id",
        "municipality_id",
        "reason",
    }
