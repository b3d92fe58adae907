"""The notifications service's fact handlers as the service runs them: subscribed from the
table (batches, dedupe by event id, dead letters), facts published as the relays publish
them. Each test runs on FastStream's in-memory broker over the in-memory store; those
parametrized with ``BOTH`` also run on the real Kafka and FerretDB (marked integration)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from samling_contracts import CloudEvent, topics
from samling_contracts.envelope import envelope
from samling_contracts.events import AssignmentAssigned, AttendanceRecorded, EventCompleted
from samling_contracts.vocabulary import Visibility
from samling_devtools.fact_world import BOTH, FactWorld, fact_world
from samling_notifications.adapters.store.stores import Delivery, DeliveryBatch, Stores
from samling_notifications.domain.audience import WebhookAudience
from samling_notifications.domain.notices import Kind, Preferences
from samling_notifications.domain.webhooks import Endpoint
from samling_notifications.handlers import table
from samling_notifications.handlers.context import Context
from samling_runtime.clock import ManualClock
from samling_runtime.kafka import FactSubscriptions
from samling_runtime.mongo import Document
from samling_runtime.store import AggregateStore

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

SOURCE = "/samling/notifications"


@dataclass
class Service:
    """The handlers' context over the world's database; notices and forwards recorded."""

    notices: Notices = field(default_factory=Notices)
    forwarded: list[tuple[str, WebhookAudience]] = field(default_factory=list)

    def subscribe(self, db: AsyncDatabase[Document]) -> FactSubscriptions:
        clock = ManualClock(NOW)

        stores = Stores(
            db,
            AggregateStore(db, "deliveries", Delivery, source=SOURCE, now=clock.now),
            AggregateStore(db, "preferences", Preferences, source=SOURCE, now=clock.now),
            AggregateStore(db, "webhook_endpoints", Endpoint, source=SOURCE, now=clock.now),
            AggregateStore(db, "delivery_batches", DeliveryBatch, source=SOURCE, now=clock.now),
        )
        context = Context(stores, self.notices, clock, self._forward, "https://samling.test/")
        return table.subscriptions(lambda: context)

    async def _forward(self, event: CloudEvent, audience: WebhookAudience) -> int:
        self.forwarded.append((event.type, audience))
        return 1


async def subscribe_to_network(world: FactWorld, subscriber: str) -> None:
    subscription = {"target": "network", "value": "net_a", "subscriber_type": "user"}
    await world.db["subscriptions"].insert_one(
        {"_id": f"sub_{subscriber}", "subscriber_id": subscriber, **subscription}
    )


@pytest.fixture(params=BOTH)
async def running(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Service, FactWorld]]:
    """The service's handlers on the in-memory broker and store, and on the real ones."""
    service = Service()
    async with fact_world(request.param, service.subscribe, request) as world:
        yield service, world


@pytest.mark.parametrize(
    ("visibility", "told"), [(Visibility.NETWORK, ["usr_1"]), (Visibility.PRIVATE, [])]
)
async def test_a_report_is_told_to_its_subscribers_unless_private(
    running: tuple[Service, FactWorld], visibility: Visibility, told: list[str]
) -> None:
    service, world = running
    await subscribe_to_network(world, "usr_1")
    await world.publish(report(visibility))
    assert service.notices.told(Kind.REPORT_PUBLISHED) == told
    kept = await world.db["reports"].find_one({"_id": "rep_1"})
    assert kept is not None
    assert kept["visibility"] == str(visibility)


async def test_followup_goes_to_those_who_attended_else_to_everyone_confirmed(
    running: tuple[Service, FactWorld],
) -> None:
    service, world = running
    await world.publish(scheduled())
    await world.publish(confirmed("par_1"), confirmed("par_2"))
    await world.publish(EventCompleted(event_id="evt_1", network_id="net_a"))
    assert service.notices.told(Kind.EVENT_FOLLOWUP) == ["par_1", "par_2"]

    await world.publish(scheduled("evt_2"))
    in_two = [confirmed(p).model_copy(update={"event_id": "evt_2"}) for p in ("par_1", "par_2")]
    attended = AttendanceRecorded(
        registration_id="reg_par_2",
        event_id="evt_2",
        participant_id="par_2",
        municipality_id=MUNICIPALITY,
        attended=True,
    )
    await world.publish(*in_two, attended)
    before = len(service.notices.drafts)
    await world.publish(EventCompleted(event_id="evt_2", network_id="net_a"))
    (followup,) = service.notices.drafts[before:]
    assert (followup.kind, [r.id for r in followup.recipients]) == (
        Kind.EVENT_FOLLOWUP,
        ["par_2"],
    )


async def test_late_comers_are_invited_to_upcoming_events_once_per_announcement(
    running: tuple[Service, FactWorld],
) -> None:
    service, world = running
    (announced,) = await world.publish(scheduled())
    await world.publish(scheduled("evt_2", starts_at=NOW - timedelta(days=1)))  # past
    await world.publish(contacts("con_a"))
    assert service.notices.told(Kind.EVENT_INVITATION) == []  # not a member yet
    await world.publish(joined())
    await world.publish(contacts("con_a", "con_b"))  # one more contact person, later
    invitations = [
        (d.source_event_id, [r.id for r in d.recipients])
        for d in service.notices.drafts
        if d.kind is Kind.EVENT_INVITATION
    ]
    assert invitations == [(announced.id, ["con_a"]), (announced.id, ["con_b"])]
    # Contact persons' addresses are on a restricted topic: never forwarded to webhooks.
    assert not [t for t, _ in service.forwarded if t.endswith("contacts.changed.v1")]


async def test_a_redelivered_fact_is_handled_once(running: tuple[Service, FactWorld]) -> None:
    service, world = running
    await world.publish(scheduled())
    registrations = await world.publish(confirmed("par_1"), confirmed("par_2"))
    await world.redeliver(*registrations)
    assert service.notices.told(Kind.REGISTRATION_CONFIRMED) == ["par_1", "par_2"]
    assert await world.processed() == 3


async def test_a_copy_in_the_same_batch_is_handled_once() -> None:
    """A relay that retried a send puts the same fact twice into one poll's batch."""
    service = Service()
    async with fact_world("fast", service.subscribe) as world:
        await world.publish(scheduled())
        event = envelope(confirmed("par_1"), source="/samling/test", time=NOW)
        await world.broker.publish_batch(
            event.to_json(), event.to_json(), topic=topics.REGISTRATIONS.name
        )
        assert service.notices.told(Kind.REGISTRATION_CONFIRMED) == ["par_1"]
        assert await world.processed() == 2


async def test_bad_messages_are_dead_lettered_and_their_neighbours_handled(
    running: tuple[Service, FactWorld],
) -> None:
    service, world = running
    topic = topics.REGISTRATIONS.name
    broken = envelope(confirmed("par_x"), source="/samling/test", time=NOW)
    invalid = json.dumps({**json.loads(broken.to_json()), "data": {"event_id": "evt_1"}})
    await world.publish(scheduled())
    await world.publish_raw(topic, b"{not json")
    await world.publish_raw(topic, invalid.encode())
    await world.publish(confirmed("par_1"))
    reasons = sorted(d.reason.split(":")[0] for d in world.dead_letters)
    assert reasons == ["JSONDecodeError", "ValidationError"]
    assert {d.topic for d in world.dead_letters} == {topic}
    assert service.notices.told(Kind.REGISTRATION_CONFIRMED) == ["par_1"]


async def test_reminders_are_set_before_the_event_and_before_pre_work_is_due() -> None:
    service = Service()
    async with fact_world("fast", service.subscribe) as world:
        await world.publish(scheduled())
        await world.publish(confirmed("par_1"), confirmed("par_2", "NO-1841"))
        due = STARTS - timedelta(days=2)
        for phase, assignment in (("pre", "asg_pre"), ("post", "asg_post")):
            assigned = AssignmentAssigned(
                event_id="evt_1", assignment_id=assignment, phase=phase, title="Les", due_at=due
            )
            await world.publish(assigned)
        reminders = world.db["reminders"]
        event = await reminders.find_one({"_id": "event:evt_1"})
        assert event is not None
        assert event["due_at"] == STARTS - timedelta(minutes=60)
        pre_work = await reminders.find_one({"_id": "assignment:asg_pre"})
        assert pre_work is not None
        assert pre_work["due_at"] == due - timedelta(hours=24)
        assert await reminders.find_one({"_id": "assignment:asg_post"}) is None
        assert service.notices.told(Kind.ASSIGNMENT_ASSIGNED) == [
            "par_1",
            "par_1",
            "par_2",
            "par_2",
        ]
        forwarded = [a for t, a in service.forwarded if t.endswith("assignment.assigned.v1")]
        assert [a.taking_part for a in forwarded] == [{MUNICIPALITY, "NO-1841"}] * 2
