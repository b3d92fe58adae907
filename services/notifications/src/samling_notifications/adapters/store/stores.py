"""The notifications service's Mongo collections and indexes (see docs/store-rule.md).

Read models (one document per entity, written by the fact handlers of one partition):
``recipients`` (participants and contact persons with address and language; users who
subscribed), ``memberships``, ``networks``, ``municipalities`` (their region), ``reports``
(who may read each, for webhooks), ``events``, ``registrations``.

Own documents: ``notifications`` (one per recipient, fact, kind and channel: the ``_id`` is a
hash of those four, and a unique index holds them too), ``mail_chunks`` (e-mail notices a
process queued and has not finished; deleted when done), ``delivery_workers`` (heartbeats) and
``mail_chunk_takeovers`` (who took over a stopped process's chunk), ``deliveries`` (an
aggregate per notification whose revisions are the delivery log and whose facts are
NotificationSent/Failed), ``contact_lists`` (a municipality's contact persons with address and
language: a fan-out reads 40 of these by ``_id`` instead of 10,000 recipients),
``inbox_reads`` (read state, one document per notification), ``preferences`` (aggregate per
recipient), ``subscriptions``, ``reminders`` and ``reminder_runs``, ``webhook_endpoints``
(aggregate) and ``webhook_deliveries``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from samling_contracts import Fact
from samling_contracts.notifications import NotificationFailed, NotificationSent
from samling_contracts.vocabulary import Channel
from samling_kernel.decisions import Change
from samling_kernel.ids import new_id
from samling_runtime.batching import BulkWriter
from samling_runtime.clock import Clock, SystemClock
from samling_runtime.mongo import Document, find_by_ids
from samling_runtime.service import Runtime
from samling_runtime.store import AggregateStore, create_indexes_one_by_one
from samling_runtime.time_buckets import MARKS

from samling_notifications.adapters.store.agenda import Agenda
from samling_notifications.adapters.store.coalesce import SharedLookups
from samling_notifications.adapters.store.contact_persons import ContactPersons
from samling_notifications.adapters.store.due_reminders import DueReminders
from samling_notifications.adapters.store.event_views import EventViews
from samling_notifications.adapters.store.expiry import NoticeExpiry
from samling_notifications.adapters.store.inbox import Inbox
from samling_notifications.adapters.store.network_views import NetworkViews
from samling_notifications.adapters.store.notice_log import NoticeLog
from samling_notifications.adapters.store.recipients import Recipients
from samling_notifications.adapters.store.registration_views import RegistrationViews
from samling_notifications.adapters.store.subscriptions import Subscriptions
from samling_notifications.adapters.store.webhooks import Webhooks
from samling_notifications.domain.notices import Preferences, Status
from samling_notifications.domain.webhooks import Endpoint


class Delivery(BaseModel):
    """The delivery state of one notification; each revision is one line of its log."""

    notification_id: str
    recipient_id: str
    channel: str
    kind: str
    source_event_id: str
    status: Status
    attempt: int = Field(0, description="Attempt number this line is about.")
    reason: str | None = None
    next_attempt_at: datetime | None = Field(None, description="When a retry is due.")


class DeliveryBatch(BaseModel):
    """Outcomes written together; its one revision carries all their facts for the outbox
    (the relay then marks one revision instead of one per notice)."""

    channel: str
    outcomes: dict[str, str] = Field(description="Notification id → status.")


def delivery_fact(fields: dict[str, Any], failure: str | None = None) -> Fact:
    """NotificationSent, or NotificationFailed when there is a ``failure`` reason; ``fields``
    are notification_id, recipient_id, channel, kind and source_event_id."""
    if failure is None:
        return NotificationSent(**fields)
    return NotificationFailed(**fields, reason=failure)


Collection = AsyncCollection[Document]


@dataclass
class Stores:
    db: Any
    deliveries: AggregateStore[Delivery]
    preferences: AggregateStore[Preferences]
    endpoints: AggregateStore[Endpoint]
    delivery_batches: AggregateStore[DeliveryBatch]
    clock: Clock = field(default_factory=SystemClock)
    """The writers' clock (where a reminder's hour depends on when it is written)."""
    shared: Shared = field(init=False)
    # Read models, kept by the fact handlers.
    recipients: Collection = field(init=False)
    memberships: Collection = field(init=False)
    networks: Collection = field(init=False)
    municipalities: Collection = field(init=False)
    reports: Collection = field(init=False)
    events: Collection = field(init=False)
    registrations: Collection = field(init=False)
    assignments: Collection = field(init=False)
    contact_lists: Collection = field(init=False)
    # The service's own documents.
    notifications: Collection = field(init=False)
    mail_chunks: Collection = field(init=False)
    delivery_workers: Collection = field(init=False)
    mail_chunk_takeovers: Collection = field(init=False)
    inbox_reads: Collection = field(init=False)
    subscriptions: Collection = field(init=False)
    reminders: Collection = field(init=False)
    reminder_runs: Collection = field(init=False)
    webhook_deliveries: Collection = field(init=False)
    webhook_attempts: Collection = field(init=False)
    # Repositories: what the routes and the fact handlers read and write, behind named methods.
    inbox: Inbox = field(init=False)
    expiry: NoticeExpiry = field(init=False)
    people: Recipients = field(init=False)
    following: Subscriptions = field(init=False)
    webhooks: Webhooks = field(init=False)
    contact_persons: ContactPersons = field(init=False)
    network_views: NetworkViews = field(init=False)
    event_views: EventViews = field(init=False)
    registration_views: RegistrationViews = field(init=False)
    agenda: Agenda = field(init=False)
    due_reminders: DueReminders = field(init=False)
    notice_log: NoticeLog = field(init=False)

    def __post_init__(self) -> None:
        db = self.db
        self.recipients = db["recipients"]
        self.memberships = db["memberships"]
        self.networks = db["networks"]
        self.municipalities = db["municipalities"]
        self.reports = db["reports"]
        self.events = db["events"]
        self.registrations = db["registrations"]
        self.assignments = db["assignments"]
        self.contact_lists = db["contact_lists"]
        self.notifications = db["notifications"]
        self.mail_chunks = db["mail_chunks"]
        self.delivery_workers = db["delivery_workers"]
        self.mail_chunk_takeovers = db["mail_chunk_takeovers"]
        self.inbox_reads = db["inbox_reads"]
        self.subscriptions = db["subscriptions"]
        self.reminders = db["reminders"]
        self.reminder_runs = db["reminder_runs"]
        self.webhook_deliveries = db["webhook_deliveries"]
        self.webhook_attempts = db["webhook_attempts"]
        self.shared = Shared(self)
        self.inbox = Inbox(self.notifications, self.inbox_reads)
        self.expiry = NoticeExpiry(self.notifications, self.inbox_reads, db[MARKS])
        self.people = Recipients(self.recipients, self.shared.recipients)
        self.following = Subscriptions(self.subscriptions)
        self.webhooks = Webhooks(self.endpoints, self.webhook_deliveries)
        self.contact_persons = ContactPersons(self.recipients, self.contact_lists)
        self.network_views = NetworkViews(
            self.networks, self.memberships, self.municipalities, self.reports
        )
        self.event_views = EventViews(self.events, self.assignments)
        self.registration_views = RegistrationViews(self.registrations, self.shared.registrations)
        self.agenda = Agenda(self.reminders, self.clock)
        self.due_reminders = DueReminders(self.reminders, self.reminder_runs, db[MARKS])
        self.notice_log = NoticeLog(self.notifications)

    def all(self) -> list[AggregateStore[Any]]:
        return [self.deliveries, self.preferences, self.endpoints, self.delivery_batches]

    async def notice(self, notification_id: str) -> Document | None:
        """The notice, on any channel."""
        return await self.notifications.find_one({"_id": notification_id})

    async def events_by_ids(self, event_ids: list[str]) -> dict[str, Document]:
        """Event id → read-model document, of those known."""
        return await find_by_ids(self.events, event_ids)

    async def knows_network(self, network_id: str) -> bool:
        """Whether the network is known (from the network facts this service consumes)."""
        return await self.networks.find_one({"_id": network_id}, {"_id": 1}) is not None

    async def record_outcomes(
        self,
        channel: Channel,
        outcomes: dict[str, str],
        facts: list[Fact],
        *,
        batch_id: str | None = None,
    ) -> None:
        """Outcomes written together, their facts in the one revision (the relay then marks
        one revision, not one per notice). A ``batch_id`` makes a retry find it
        (:class:`AlreadyExists <samling_runtime.store.AlreadyExists>`)."""
        await self.delivery_batches.create(
            batch_id or new_id("db"),
            Change(DeliveryBatch(channel=str(channel), outcomes=outcomes), facts),
        )


class Shared:
    """The fact intake's hot reads and writes, shared by the handlers of a batch's facts
    (which run concurrently): a hundred registrations for one event read the event once
    and write their read-model documents in one round trip."""

    def __init__(self, stores: Stores) -> None:
        self.events: SharedLookups[str, Document | None] = SharedLookups(
            lambda event_id: stores.events.find_one({"_id": event_id})
        )
        self.networks: SharedLookups[str, Document | None] = SharedLookups(
            lambda network_id: stores.networks.find_one({"_id": network_id})
        )
        self.endpoints: SharedLookups[str, list[Document]] = SharedLookups(
            lambda event_type: stores.endpoints.current.find(
                {"enabled": True, "event_types": event_type}
            ).to_list()
        )
        self.registrations = BulkWriter(stores.registrations)
        self.recipients = BulkWriter(stores.recipients)


async def open_stores(runtime: Runtime) -> Stores:
    db = runtime.mongo.db
    stores = Stores(
        db=db,
        deliveries=runtime.store("deliveries", Delivery),
        preferences=runtime.store("preferences", Preferences),
        endpoints=runtime.store("webhook_endpoints", Endpoint),
        delivery_batches=runtime.store("delivery_batches", DeliveryBatch),
        clock=runtime.clock,
    )
    await stores.delivery_batches.ensure_indexes()
    await stores.deliveries.ensure_indexes(IndexModel([("recipient_id", ASCENDING)]))
    await stores.preferences.ensure_indexes()
    await stores.endpoints.ensure_indexes(
        IndexModel([("owner_id", ASCENDING)]),
        IndexModel([("enabled", ASCENDING), ("event_types", ASCENDING)]),
    )
    await create_indexes_one_by_one(
        stores.notifications,
        [
            IndexModel(
                [
                    ("recipient_id", ASCENDING),
                    ("source_event_id", ASCENDING),
                    ("kind", ASCENDING),
                    ("channel", ASCENDING),
                ],
                unique=True,
                name="one_notice_per_recipient_fact_kind_channel",
            ),
            IndexModel(
                [("recipient_id", ASCENDING), ("channel", ASCENDING), ("created_at", DESCENDING)]
            ),
            IndexModel([("digest_at", ASCENDING)]),
            IndexModel([("status", ASCENDING), ("digest_at", ASCENDING)]),
        ],
    )
    await stores.expiry.prepare()  # its hour index and back-fill, before the workers start
    await create_indexes_one_by_one(
        stores.recipients,
        [
            IndexModel([("municipality_id", ASCENDING)]),
            IndexModel([("email", ASCENDING)]),
            IndexModel([("participant_id", ASCENDING)]),  # a participant's transfer managers
        ],
    )
    await create_indexes_one_by_one(
        stores.memberships,
        [
            IndexModel([("network_id", ASCENDING)]),
            IndexModel([("municipality_id", ASCENDING), ("active", ASCENDING)]),
        ],
    )
    await create_indexes_one_by_one(
        stores.registrations,
        [IndexModel([("event_id", ASCENDING)]), IndexModel([("participant_id", ASCENDING)])],
    )
    await create_indexes_one_by_one(stores.events, [IndexModel([("network_id", ASCENDING)])])
    await create_indexes_one_by_one(
        stores.subscriptions,
        [
            IndexModel([("target", ASCENDING), ("value", ASCENDING)]),
            IndexModel([("subscriber_id", ASCENDING)]),
        ],
    )
    await create_indexes_one_by_one(stores.inbox_reads, [IndexModel([("recipient_id", ASCENDING)])])
    await create_indexes_one_by_one(
        stores.reminders,
        [
            IndexModel([("event_id", ASCENDING)]),
            IndexModel([("participant_id", ASCENDING)]),  # transfer plans' reminders, on erasure
        ],
    )
    await stores.due_reminders.prepare(
        stores.clock.now()
    )  # the hour indexes and back-fill, before the poll
    await create_indexes_one_by_one(
        stores.webhook_deliveries,
        [
            IndexModel([("endpoint_id", ASCENDING), ("source_event_id", ASCENDING)], unique=True),
            IndexModel([("pending", ASCENDING), ("next_attempt_at", ASCENDING)]),
        ],
    )
    return stores
