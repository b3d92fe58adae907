"""What the notifications service's handler tests share: a recorder of the notices they
queue, and the facts they are given (one event, its registrations, contact persons, reports)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from samling_contracts.events import EventScheduled, RegistrationConfirmed
from samling_contracts.network import (
    ContactPerson,
    ContactPersonsChanged,
    MunicipalityJoinedNetwork,
    ReportPublished,
    ReportTags,
)
from samling_contracts.vocabulary import Visibility
from samling_notifications.domain.notices import Draft, Kind

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
STARTS = NOW + timedelta(days=30)
MUNICIPALITY = "NO-1804"


@dataclass
class Notices:
    drafts: list[Draft] = field(default_factory=list)
    hastened: list[tuple[set[str], set[str]]] = field(default_factory=list)

    async def queue(self, draft: Draft) -> int:
        if draft.recipients:  # as delivery: a draft for nobody writes nothing
            self.drafts.append(draft)
        return len(draft.recipients)

    def facts_arrived(
        self, *, recipients: Collection[str] = (), events: Collection[str] = ()
    ) -> int:
        self.hastened.append((set(recipients), set(events)))
        return 0

    def told(self, kind: Kind) -> list[str]:
        return sorted(r.id for d in self.drafts if d.kind is kind for r in d.recipients)


def scheduled(event_id: str = "evt_1", sequence: int = 1, **changes: Any) -> EventScheduled:
    fields: dict[str, Any] = {
        "event_id": event_id,
        "network_id": "net_a",
        "region_id": "rkk-salten",
        "kind": "workshop",
        "title": "Verksted",
        "starts_at": STARTS,
        "ends_at": STARTS + timedelta(hours=3),
        "timezone": "Europe/Oslo",
        "capacity": 10,
        "reminder_minutes_before": 60,
        "sequence": sequence,
    }
    return EventScheduled(**{**fields, **changes})


def contacts(*ids: str, municipality: str = MUNICIPALITY) -> ContactPersonsChanged:
    listed = [
        ContactPerson(contact_id=c, name=c.title(), email=f"{c}@bodo.kommune.no", language="nb")
        for c in ids
    ]
    return ContactPersonsChanged(municipality_id=municipality, contacts=listed)


def joined(network: str = "net_a", municipality: str = MUNICIPALITY) -> MunicipalityJoinedNetwork:
    return MunicipalityJoinedNetwork(
        network_id=network,
        municipality_id=municipality,
        membership_id=f"mem_{municipality}",
        starts_on=date(2027, 1, 1),
    )


def confirmed(participant: str, municipality: str = MUNICIPALITY) -> RegistrationConfirmed:
    return RegistrationConfirmed(
        registration_id=f"reg_{participant}",
        event_id="evt_1",
        participant_id=participant,
        municipality_id=municipality,
    )


def report(visibility: Visibility) -> ReportPublished:
    return ReportPublished(
        report_id="rep_1",
        municipality_id=MUNICIPALITY,
        region_id="rkk-salten",
        network_ids=["net_a"],
        visibility=visibility,
        template="free_text",
        title="Lesevenner",
        tags=ReportTags(learning_arenas=["reflection_group"], language="nb"),
    )
