"""Which facts a webhook endpoint is sent: owner x fact, as a table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from samling_contracts import Fact
from samling_contracts.events import (
    AssignmentDue,
    EventScheduled,
    ParticipantAnonymised,
    RegistrationAwaitingApproval,
    RegistrationConfirmed,
)
from samling_contracts.network import (
    AnnouncementPosted,
    ReportPublished,
    ReportTags,
    ReportWithdrawn,
)
from samling_contracts.vocabulary import Visibility
from samling_notifications.domain.visibility import EndpointOwner, ReportScope, may_receive

OWNERS = {
    "member": EndpointOwner("NO-1804", "rkk-salten", frozenset({"net_a"})),
    "same-region": EndpointOwner("NO-1841", "rkk-salten"),
    "other-region": EndpointOwner("NO-1833", "rkk-helgeland", frozenset({"net_b"})),
    "author": EndpointOwner("NO-1838", "rkk-salten"),
    "system": EndpointOwner(),
}
NETWORK_SCOPE = ReportScope("NO-1838", "rkk-salten", frozenset({"net_a"}), Visibility.NETWORK)
WHEN = datetime(2027, 2, 10, 8, 0, tzinfo=UTC)


def report(visibility: Visibility) -> ReportPublished:
    return ReportPublished(
        report_id="rep_1",
        municipality_id="NO-1838",
        region_id="rkk-salten",
        network_ids=["net_a"],
        visibility=visibility,
        template="free_text",
        title=None if visibility is Visibility.PRIVATE else "Lesevenner",
        tags=ReportTags(learning_arenas=[], language="nb"),
    )


registration = RegistrationConfirmed(
    registration_id="reg_1", event_id="evt_1", participant_id="par_1", municipality_id="NO-1804"
)
FACTS: dict[str, tuple[Fact, dict[str, object]]] = {
    "event": (
        EventScheduled(
            event_id="evt_1",
            network_id="net_a",
            region_id="rkk-salten",
            kind="workshop",
            title="Verksted",
            starts_at=WHEN,
            ends_at=WHEN,
            timezone="Europe/Oslo",
            capacity=10,
            sequence=0,
        ),
        {},
    ),
    "announcement": (
        AnnouncementPosted(
            network_id="net_a", announcement_id="ann_1", title="Hei", body="Hei", language="nb"
        ),
        {},
    ),
    "public report": (report(Visibility.PUBLIC), {}),
    "region report": (report(Visibility.REGION), {}),
    "network report": (report(Visibility.NETWORK), {}),
    "private report": (report(Visibility.PRIVATE), {}),
    "withdrawn network report": (
        ReportWithdrawn(report_id="rep_1", municipality_id="NO-1838"),
        {"report": NETWORK_SCOPE},
    ),
    "withdrawn unknown report": (
        ReportWithdrawn(report_id="rep_1", municipality_id="NO-1838"),
        {},
    ),
    "registration": (registration, {}),
    "awaiting approval": (
        RegistrationAwaitingApproval(**registration.model_dump(), reason="unverified_municipality"),
        {},
    ),
    "assignment due": (
        AssignmentDue(event_id="evt_1", assignment_id="asg_1", due_at=WHEN),
        {"taking_part": frozenset({"NO-1804"})},
    ),
    "anonymised": (
        ParticipantAnonymised(participant_id="par_1"),
        {"taking_part": frozenset({"NO-1804"})},
    ),
}

# fact -> the owners that receive it
EXPECTED: dict[str, set[str]] = {
    "event": set(OWNERS),
    "announcement": set(OWNERS),
    "public report": set(OWNERS),
    "region report": {"member", "same-region", "author"},
    "network report": {"member", "author"},
    "private report": {"author"},
    "withdrawn network report": {"member", "author"},
    "withdrawn unknown report": {"author"},
    "registration": {"member"},
    "awaiting approval": {"member"},
    "assignment due": {"member"},
    "anonymised": {"member"},
}


@pytest.mark.parametrize("fact_name", list(FACTS))
def test_owner_by_fact(fact_name: str) -> None:
    fact, known = FACTS[fact_name]
    receiving = {
        name
        for name, owner in OWNERS.items()
        if may_receive(owner, fact, **known)  # type: ignore[arg-type]
    }
    assert receiving == EXPECTED[fact_name]
