"""Events and registrations for the rule tests: a workshop in Bodø, ten days after ``NOW``,
and Saltdal's registrations for it, unless told otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from samling_contracts.vocabulary import EventKind
from samling_events.domain.events import Event, EventDetails, EventStatus, draft_event
from samling_events.domain.registrations import HOLDS_SEAT, Registration, RegistrationStatus

NOW = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
STARTS = NOW + timedelta(days=10)
ENDS = STARTS + timedelta(hours=3)
BODO, SALTDAL = "NO-1804", "NO-1840"


def an_event(
    status: EventStatus = EventStatus.PUBLISHED,
    *,
    starts_at: datetime = STARTS,
    ends_at: datetime = ENDS,
    kind: EventKind = EventKind.WORKSHOP,
    **details: Any,
) -> Event:
    details.setdefault("capacity", 4)
    details.setdefault("venue", "Bodø rådhus")
    drafted = draft_event(
        "evt_1",
        region_id="rkk-salten",
        network_id="net_1",
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone="Europe/Oslo",
        details=EventDetails(title="Verksted", **details),
        created_by="u-coordinator",
    ).state
    return drafted.model_copy(update={"status": status})


def a_registration(
    status: RegistrationStatus = RegistrationStatus.CONFIRMED,
    *,
    n: int = 1,
    municipality_id: str = SALTDAL,
    **fields: Any,
) -> Registration:
    values: dict[str, Any] = {
        "id": f"reg_{n}",
        "event_id": "evt_1",
        "participant_id": f"par_{n}",
        "municipality_id": municipality_id,
        "role": "Lærer",
        "member": True,
        "status": status,
        "seat_no": n if status in HOLDS_SEAT else None,
        "arrived_at": NOW,
        "arrival_seq": n,
        **fields,
    }
    return Registration.model_validate(values)
