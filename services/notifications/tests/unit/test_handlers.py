"""The fact handlers through their subscription table, on an in-memory store: who is told,
what the read models keep, and what is forwarded to webhooks, in milliseconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from samling_contracts import CloudEvent, Fact
from samling_contracts.envelope import envelope
from samling_contracts.events import (
    AssignmentAssigned,
    EventCancelled,
    EventRescheduled,
    EventUpdated,
    ParticipantContactRecorded,
    ParticipantErased,
    RegistrationPromoted,
)
from samling_contracts.network import (
    ReportWithdrawn,
)
from samling_contracts.vocabulary import Visibility
from samling_devtools.memory_store import MemoryDatabase
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.domain.audience import WebhookAudience
from samling_notifications.domain.notices import Kind
from samling_notifications.domain.visibility import ReportScope
from samling_notifications.handlers.context import Context
from samling_notifications.handlers.table import TABLE, Forward, handle, row_for
from samling_runtime.clock import ManualClock

from .given import (
    MUNICIPALITY,
    NOW,
    STARTS,
    Notices,
    confirmed,
    contacts,
    joined,
    report,
    scheduled,
)


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
        clock = ManualClock(NOW)
        stores = Stores(cast(Any, self.db), unused, unused, unused, unused, clock=clock)
        self.ctx = Context(
            stores=stores,
            notices=self.notices,
            clock=clock,
            forward=self._forward,
            app_url="https://samling.test/",
        )

    async def _forward(self, event: CloudEvent, audience: WebhookAudience) -> int:
        kept = len(self.db["registrations"].documents())
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
        return self.db[collection].documents()


def test_every_fact_has_one_row_and_restricted_facts_are_never_forwarded() -> None:
    facts = [f for row in TABLE for f in row.facts]
    assert len(facts) == len(set(facts))
    for row in TABLE:
        restricted = {f.spec().topic.name.endswith(".restricted") for f in row.facts}
        assert restricted == {row.forward is Forward.NEVER}


async def test_an_announced_event_invites_member_contacts_and_sets_its_reminder() -> None:
    world = World()
    await world.given(contacts("con_a", "con_b"), joined())
    await world.db["subscriptions"].insert_one(
        {
            "_id": "s1",
            "target": "event_kind",
            "value": "workshop",
            "subscriber_id": "usr_1",
            "subscriber_type": "user",
        }
    )
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


async def test_a_contact_person_no_longer_listed_loses_the_address() -> None:
    world = World()
    await world.given(contacts("con_a", "con_b"), contacts("con_a"))
    gone = world.docs("recipients")["con_b"]
    assert (gone["active"], gone["email"]) == (False, None)
    assert world.docs("recipients")["con_a"]["email"] == "con_a@bodo.kommune.no"
