"""The fact handlers through their subscription table, on an in-memory store: who is told,
what the read models keep, and what is forwarded to webhooks, in milliseconds."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from samling_contracts import CloudEvent, Fact, topics
from samling_contracts.envelope import envelope
from samling_contracts.events import (
    AssignmentAssigned,
    AttendanceRecorded,
    EventCancelled,
    EventCompleted,
    EventRescheduled,
    EventScheduled,
    EventUpdated,
    ParticipantContactRecorded,
    ParticipantErased,
    RegistrationConfirmed,
    RegistrationPromoted,
)
from samling_contracts.network import (
    ContactPerson,
    ContactPersonsChanged,
    MunicipalityJoinedNetwork,
    ReportPublished,
    ReportTags,
    ReportWithdrawn,
)
from samling_contracts.vocabulary import Visibility
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.domain.audience import WebhookAudience
from samling_notifications.domain.notices import Draft, Kind
from samling_notifications.domain.visibility import ReportScope
from samling_notifications.handlers.context import Context
from samling_notifications.handlers.table import TABLE, Forward, handle, row_for, subscriptions
from samling_runtime.clock import ManualClock
from samling_runtime.processed import ProcessedEvents

from .memory import MemoryDatabase

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


@dataclass
class World:
    db: MemoryDatabase = field(default_factory=MemoryDatabase)
    notices: Notices = field(default_factory=Notices)
    forwarded: list[tuple[str, WebhookAudience, int]] = field(default_factory=list)
    """(fact type, audience, registrations still kept when it was forwarded)"""
    ctx: Context = field(init=False)

    def __post_init__(self) -> None:
        # The aggregate stores serve the API and delivery, never a fact handler.
        unused = cast(Any, None)
        stores = Stores(cast(Any, self.db), unused, unused, unused, unused)
        self.ctx = Context(
            stores=stores,
            notices=self.notices,
            clock=ManualClock(NOW),
            forward=self._forward,
            app_url="https://samling.test/",
        )

    async def _forward(self, event: CloudEvent, audience: WebhookAudience) -> int:
        kept = len(self.db["registrations"].docs)
        self.forwarded.append((event.type, audience, kept))
        return 1

    async def given(self, *facts: Fact) -> list[CloudEvent]:
        events = []
        for fact in facts:
            event = envelope(fact, source="/samling/test", time=NOW)
            await handle(row_for(type(fact)), self.ctx, fact, event)
            events.append(event)
        return events

    def docs(self, collection: str) -> dict[Any, dict[str, Any]]:
        return self.db[collection].docs


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


def test_every_fact_has_one_row_and_restricted_facts_are_never_forwarded() -> None:
    facts = [f for row in TABLE for f in row.facts]
    assert len(facts) == len(set(facts))
    for row in TABLE:
        restricted = {f.spec().topic.name.endswith(".restricted") for f in row.facts}
        assert restricted == {row.forward is Forward.NEVER}


async def test_an_announced_event_invites_member_contacts_and_sets_its_reminder() -> None:
    world = World()
    await world.given(contacts("con_a", "con_b"), joined())
    world.docs("subscriptions")["s1"] = {
        "_id": "s1",
        "target": "event_kind",
        "value": "workshop",
        "subscriber_id": "usr_1",
        "subscriber_type": "user",
    }
    await world.given(scheduled())
    assert world.notices.told(Kind.EVENT_INVITATION) == ["con_a", "con_b", "usr_1"]
    invitation = next(d for d in world.notices.drafts if d.kind is Kind.EVENT_INVITATION)
    assert invitation.params["title"] == "Verksted"
    assert world.docs("reminders")["event:evt_1"]["due_at"] == STARTS - timedelta(minutes=60)
    assert (set(), {"evt_1"}) in world.notices.hastened
    assert world.forwarded[-1][0] == "no.samling.events.event.scheduled.v1"


async def test_an_older_event_fact_does_not_overwrite_a_newer_one() -> None:
    world = World()
    await world.given(scheduled(sequence=3, title="Nyere"))
    older = EventUpdated(
        event_id="evt_1",
        title="Eldre",
        venue=None,
        online_url=None,
        reminder_minutes_before=60,
        capacity=10,
        sequence=2,
    )
    await world.given(older)
    assert world.docs("events")["evt_1"]["title"] == "Nyere"


async def test_a_cancelled_event_tells_its_participants_and_drops_its_reminders() -> None:
    world = World()
    await world.given(scheduled(), confirmed("par_1"))
    await world.given(EventCancelled(event_id="evt_1", reason="Sykdom", sequence=2))
    assert world.notices.told(Kind.EVENT_CANCELLED) == ["par_1"]
    assert world.docs("reminders") == {}


async def test_a_rescheduled_event_tells_its_participants_the_organisers_message() -> None:
    world = World()
    await world.given(scheduled(), confirmed("par_1"))
    moved = STARTS + timedelta(days=7)
    await world.given(
        EventRescheduled(
            event_id="evt_1",
            starts_at=moved,
            ends_at=moved + timedelta(hours=2),
            previous_starts_at=STARTS,
            timezone="Europe/Oslo",
            sequence=2,
            message="Innleder er syk.",
        )
    )
    assert world.notices.told(Kind.EVENT_RESCHEDULED) == ["par_1"]
    told = next(d for d in world.notices.drafts if d.kind is Kind.EVENT_RESCHEDULED)
    assert told.params["reason"] == "Innleder er syk."


async def test_followup_goes_to_those_who_attended_else_to_everyone_confirmed() -> None:
    world = World()
    await world.given(scheduled(), confirmed("par_1"), confirmed("par_2"))
    await world.given(EventCompleted(event_id="evt_1", network_id="net_a"))
    assert world.notices.told(Kind.EVENT_FOLLOWUP) == ["par_1", "par_2"]

    world = World()
    await world.given(scheduled(), confirmed("par_1"), confirmed("par_2"))
    attended = AttendanceRecorded(
        registration_id="reg_par_2",
        event_id="evt_1",
        participant_id="par_2",
        municipality_id=MUNICIPALITY,
        attended=True,
    )
    await world.given(attended, EventCompleted(event_id="evt_1", network_id="net_a"))
    assert world.notices.told(Kind.EVENT_FOLLOWUP) == ["par_2"]


async def test_pre_work_is_reminded_and_forwarded_to_the_municipalities_taking_part() -> None:
    world = World()
    await world.given(scheduled(), confirmed("par_1"), confirmed("par_2", "NO-1841"))
    due = STARTS - timedelta(days=2)
    await world.given(
        AssignmentAssigned(
            event_id="evt_1", assignment_id="asg_1", phase="pre", title="Les", due_at=due
        )
    )
    assert world.notices.told(Kind.ASSIGNMENT_ASSIGNED) == ["par_1", "par_2"]
    assert world.docs("reminders")["assignment:asg_1"]["due_at"] == due - timedelta(hours=24)
    assert world.forwarded[-1][1].taking_part == {MUNICIPALITY, "NO-1841"}


async def test_a_seat_offered_with_a_deadline_leaves_the_registration_offered() -> None:
    world = World()
    promoted = RegistrationPromoted(
        registration_id="reg_1",
        event_id="evt_1",
        participant_id="par_1",
        municipality_id=MUNICIPALITY,
        offer_expires_at=NOW + timedelta(days=1),
    )
    await world.given(scheduled(), promoted)
    assert world.docs("registrations")["reg_1"]["status"] == "offered"
    assert world.notices.told(Kind.REGISTRATION_PROMOTED) == ["par_1"]


@pytest.mark.parametrize(
    ("visibility", "told"), [(Visibility.NETWORK, ["usr_1"]), (Visibility.PRIVATE, [])]
)
async def test_a_report_is_told_to_its_subscribers_unless_private(
    visibility: Visibility, told: list[str]
) -> None:
    world = World()
    world.docs("subscriptions")["s1"] = {
        "_id": "s1",
        "target": "network",
        "value": "net_a",
        "subscriber_id": "usr_1",
        "subscriber_type": "user",
    }
    await world.given(report(visibility))
    assert world.notices.told(Kind.REPORT_PUBLISHED) == told
    assert world.docs("reports")["rep_1"]["visibility"] == str(visibility)


async def test_a_withdrawal_is_forwarded_to_those_who_could_read_the_report() -> None:
    world = World()
    await world.given(report(Visibility.NETWORK))
    await world.given(ReportWithdrawn(report_id="rep_1", municipality_id=MUNICIPALITY))
    scope = ReportScope(MUNICIPALITY, "rkk-salten", frozenset({"net_a"}), Visibility.NETWORK)
    assert world.forwarded[-1][1] == WebhookAudience(report=scope)


async def test_an_erasure_is_forwarded_first_then_everything_about_the_person_goes() -> None:
    world = World()
    contact = ParticipantContactRecorded(
        participant_id="par_1", name="Kari", email="kari@example.no", language="nb"
    )
    await world.given(contact, scheduled(), confirmed("par_1"))
    await world.given(ParticipantErased(participant_id="par_1"))
    fact_type, audience, kept = world.forwarded[-1]
    assert fact_type == "no.samling.events.participant.erased.v1"
    assert (audience.taking_part, kept) == (frozenset({MUNICIPALITY}), 1)
    assert world.docs("registrations") == {}
    assert world.docs("recipients")["par_1"] == {
        "_id": "par_1",
        "type": "participant",
        "erased": True,
        "active": False,
    }
    await world.given(contact)  # a late copy of the address
    assert "email" not in world.docs("recipients")["par_1"]


async def test_late_comers_are_invited_to_upcoming_events_once_per_announcement() -> None:
    world = World()
    (announced,) = await world.given(scheduled())
    await world.given(scheduled("evt_2", starts_at=NOW - timedelta(days=1)))  # past
    await world.given(contacts("con_a"), joined())
    invitations = [d for d in world.notices.drafts if d.kind is Kind.EVENT_INVITATION]
    assert [(d.source_event_id, [r.id for r in d.recipients]) for d in invitations] == [
        (announced.id, ["con_a"])
    ]
    await world.given(contacts("con_a", "con_b"))
    assert world.notices.drafts[-1].recipients[0].id == "con_b"
    assert world.notices.drafts[-1].source_event_id == announced.id
    assert world.forwarded[-1][0] != "no.samling.network.contacts.changed.v1"


async def test_a_contact_person_no_longer_listed_loses_the_address() -> None:
    world = World()
    await world.given(contacts("con_a", "con_b"), contacts("con_a"))
    gone = world.docs("recipients")["con_b"]
    assert (gone["active"], gone["email"]) == (False, None)
    assert world.docs("recipients")["con_a"]["email"] == "con_a@bodo.kommune.no"


async def test_a_batch_from_the_broker_is_handled_once_per_fact_even_when_redelivered() -> None:
    """The table as the service subscribes it (FactSubscriptions in batch mode, dedupe by
    event id), driven by FastStream's in-memory broker."""
    world = World()
    broker = KafkaBroker()
    processed = ProcessedEvents(cast(Any, world.db), "samling-notifications")
    subscriptions(lambda: world.ctx).attach(broker, "samling-notifications", lambda: processed)
    event = envelope(scheduled(), source="/samling/test", time=NOW)
    registrations = [
        envelope(confirmed(p), source="/samling/test", time=NOW) for p in ("par_1", "par_2")
    ]
    async with TestKafkaBroker(broker) as kafka:
        await kafka.publish(event.to_json(), topic=topics.EVENTS.name)
        batch = [r.to_json() for r in registrations]
        await kafka.publish_batch(*batch, batch[0], topic=topics.REGISTRATIONS.name)
        await kafka.publish_batch(*batch, topic=topics.REGISTRATIONS.name)  # redelivered
    assert world.notices.told(Kind.REGISTRATION_CONFIRMED) == ["par_1", "par_2"]
    assert sorted(world.docs("registrations")) == ["reg_par_1", "reg_par_2"]
    assert len(world.docs("processed_events")) == 3
