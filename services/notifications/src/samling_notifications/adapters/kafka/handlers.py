"""Fact handlers: keep the read models and turn facts into notices.

Every effect is keyed, so a redelivery (after a crash between the effect and the processed-event
marker) changes nothing: read models are upserts by id guarded by the event's order
(``sequence``), notices go through the unique (recipient, fact, kind, channel) index.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from pymongo import ReplaceOne, UpdateOne
from pymongo.errors import DuplicateKeyError
from samling_contracts import CloudEvent, Fact
from samling_contracts.events import (
    AssignmentAssigned,
    AssignmentDue,
    AttendanceRecorded,
    EventCancelled,
    EventCompleted,
    EventRescheduled,
    EventScheduled,
    EventUpdated,
    ParticipantAnonymised,
    ParticipantContactRecorded,
    ParticipantErased,
    RegistrationApproved,
    RegistrationAwaitingApproval,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationDeclined,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from samling_contracts.network import (
    AnnouncementPosted,
    ContactPersonsChanged,
    MunicipalityJoinedNetwork,
    MunicipalityLeftNetwork,
    MunicipalityRegistered,
    NetworkCreated,
    NetworkUpdated,
    ReportPublished,
    ReportRevised,
    ReportWithdrawn,
)
from samling_contracts.vocabulary import AssignmentPhase, Visibility
from samling_runtime.kafka import Batches, FactSubscriptions
from samling_runtime.mongo import Document, find_each, insert_new
from samling_runtime.service import Runtime, RuntimeRef

from samling_notifications.adapters import webhooks_out
from samling_notifications.adapters.delivery import DeliveryWorker
from samling_notifications.adapters.store import audience
from samling_notifications.adapters.store.notices import event_details
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.domain.notices import Draft, Kind, Recipient, RecipientType
from samling_notifications.domain.visibility import ReportScope

ASSIGNMENT_REMINDER_BEFORE = timedelta(hours=24)

REGISTRATION_KINDS: dict[type[Fact], tuple[Kind, str]] = {
    RegistrationConfirmed: (Kind.REGISTRATION_CONFIRMED, "confirmed"),
    RegistrationWaitlisted: (Kind.REGISTRATION_WAITLISTED, "waitlisted"),
    RegistrationPromoted: (Kind.REGISTRATION_PROMOTED, "confirmed"),
    RegistrationApproved: (Kind.REGISTRATION_APPROVED, "confirmed"),
    RegistrationDeclined: (Kind.REGISTRATION_DECLINED, "declined"),
    RegistrationCancelled: (Kind.REGISTRATION_CANCELLED, "cancelled"),
}


def stores_of(runtime: Runtime) -> Stores:
    found: Stores = runtime.state["stores"]
    return found


async def event_params(stores: Stores, event_id: str) -> dict[str, Any]:
    """What templates show about an event (the read model may not have it yet)."""
    doc = await stores.shared.events.get(event_id)
    if doc is None:
        return {}
    params = event_details(doc)
    if doc.get("network_id"):
        network = await stores.shared.networks.get(doc["network_id"])
        params["network"] = network["name"] if network else None
    return params


async def network_name(stores: Stores, network_id: str) -> str | None:
    doc = await stores.networks.find_one({"_id": network_id})
    return doc["name"] if doc else None


async def upsert_if_newer(stores: Stores, event_id: str, sequence: int, values: Document) -> None:
    """Apply an event fact to its read model unless a later one (higher SEQUENCE) is there."""
    # A DuplicateKeyError means the document exists with a newer sequence: older news.
    with contextlib.suppress(DuplicateKeyError):
        await stores.events.update_one(
            {"_id": event_id, "$or": [{"sequence": {"$lte": sequence}}, {"sequence": None}]},
            {"$set": {**values, "sequence": sequence}},
            upsert=True,
        )


class Notifier:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.stores = stores_of(runtime)
        self.delivery: DeliveryWorker = runtime.state["delivery"]

    async def notify(
        self,
        kind: Kind,
        event: CloudEvent,
        recipients: list[Recipient],
        refs: dict[str, str],
        params: dict[str, Any] | None = None,
    ) -> int:
        return await self.notify_as(kind, event.id, recipients, refs, params)

    async def notify_as(
        self,
        kind: Kind,
        source_event_id: str,
        recipients: list[Recipient],
        refs: dict[str, str],
        params: dict[str, Any] | None = None,
    ) -> int:
        draft = Draft(
            kind=kind,
            source_event_id=source_event_id,
            recipients=recipients,
            refs=refs,
            params=params or {},
        )
        return await self.delivery.queue(draft)

    async def invite_late_comers(self, recipients: list[Recipient], network_ids: list[str]) -> int:
        """Contact persons who arrive after an event was announced (a municipality joining
        later, a new contact person, or facts on different topics consumed out of order) are
        invited to the network's upcoming events too. The announcement's own fact id is the
        source, so nobody is invited twice to one event."""
        if not recipients or not network_ids:
            return 0
        now = self.runtime.clock.now()
        upcoming = await find_each(
            self.stores.events, [{"network_id": n, "starts_at": {"$gt": now}} for n in network_ids]
        )
        queued = 0
        for doc in upcoming:
            if doc.get("cancelled") or not doc.get("scheduled_id"):
                continue
            queued += await self.notify_as(
                Kind.EVENT_INVITATION,
                doc["scheduled_id"],
                recipients,
                {"event_id": doc["_id"]},
                await event_params(self.stores, doc["_id"]),
            )
        return queued


async def schedule_event_reminder(stores: Stores, event_id: str) -> None:
    doc = await stores.events.find_one({"_id": event_id})
    if doc is None or doc.get("cancelled"):
        await stores.reminders.delete_one({"_id": f"event:{event_id}"})
        return
    due_at = doc["starts_at"] - timedelta(minutes=doc.get("reminder_minutes_before", 1440))
    await stores.reminders.replace_one(
        {"_id": f"event:{event_id}"},
        {
            "kind": str(Kind.EVENT_REMINDER),
            "event_id": event_id,
            "due_at": due_at,
            "not_after": doc["starts_at"],
        },
        upsert=True,
    )


def order_key(event: CloudEvent) -> str:
    """What the intake keeps in order (see ``samling_runtime.kafka.Batches``): every fact
    about a registration, and a participant's erasure, names the participant, and their
    effects (the registration's read model, the participant's notices) are the participant's
    own; so a batch's facts about one event's registrations are handled concurrently, one
    participant's in order. Other facts keep their aggregate's order (the record key)."""
    participant = event.data.get("participant_id")
    return f"participant:{participant}" if isinstance(participant, str) else event.partitionkey


def subscriptions(runtime_ref: RuntimeRef) -> FactSubscriptions:
    subs = FactSubscriptions(Batches(order_key=order_key))

    def notifier() -> Notifier:
        return Notifier(runtime_ref())

    async def after(
        fact: Fact,
        event: CloudEvent,
        *,
        report: ReportScope | None = None,
        taking_part: frozenset[str] = frozenset(),
    ) -> None:
        await webhooks_out.fan_out(runtime_ref(), event, report=report, taking_part=taking_part)

    # -- network --------------------------------------------------------------------------
    @subs.on(NetworkCreated, NetworkUpdated)
    async def network(fact: NetworkCreated | NetworkUpdated, event: CloudEvent) -> None:
        stores = stores_of(runtime_ref())
        await stores.networks.update_one(
            {"_id": fact.network_id}, {"$set": {"name": fact.name}}, upsert=True
        )
        await after(fact, event)

    @subs.on(MunicipalityRegistered)
    async def municipality(fact: MunicipalityRegistered, event: CloudEvent) -> None:
        """Which region a municipality is in: what its admins may read depends on it."""
        stores = stores_of(runtime_ref())
        await stores.municipalities.replace_one(
            {"_id": fact.municipality_id}, {"region_id": fact.region_id}, upsert=True
        )
        await after(fact, event)

    @subs.on(MunicipalityJoinedNetwork, MunicipalityLeftNetwork)
    async def membership(
        fact: MunicipalityJoinedNetwork | MunicipalityLeftNetwork, event: CloudEvent
    ) -> None:
        stores = stores_of(runtime_ref())
        await stores.memberships.replace_one(
            {"_id": f"{fact.network_id}:{fact.municipality_id}"},
            {
                "network_id": fact.network_id,
                "municipality_id": fact.municipality_id,
                "active": isinstance(fact, MunicipalityJoinedNetwork),
            },
            upsert=True,
        )
        if isinstance(fact, MunicipalityJoinedNetwork):
            contacts = await audience.contacts_of(stores, [fact.municipality_id])
            await notifier().invite_late_comers(contacts, [fact.network_id])
        await after(fact, event)

    @subs.on(AnnouncementPosted)
    async def announcement(fact: AnnouncementPosted, event: CloudEvent) -> None:
        n = notifier()
        recipients = audience.union(
            await audience.member_contacts(n.stores, fact.network_id),
            await audience.subscribers(n.stores, "network", [fact.network_id]),
        )
        await n.notify(
            Kind.ANNOUNCEMENT,
            event,
            recipients,
            {"network_id": fact.network_id, "announcement_id": fact.announcement_id},
            {
                "headline": fact.title,
                "text": fact.body,
                "network": await network_name(n.stores, fact.network_id),
            },
        )
        await after(fact, event)

    @subs.on(ContactPersonsChanged)
    async def contacts(fact: ContactPersonsChanged, event: CloudEvent) -> None:
        stores = stores_of(runtime_ref())
        listed = [
            Recipient(
                id=c.contact_id,
                type=RecipientType.CONTACT,
                name=c.name,
                email=c.email,
                language=str(c.language),
            )
            for c in fact.contacts
        ]
        ids = {r.id for r in listed}
        docs = [{**r.details(), "municipality_id": fact.municipality_id} for r in listed]
        # New contact persons are one bulk insert; those known already are replaced.
        known = await insert_new(stores.recipients, docs)
        if known:
            await stores.recipients.bulk_write(
                [ReplaceOne({"_id": docs[i]["_id"]}, docs[i], upsert=True) for i in known],
                ordered=False,
            )
        # Those no longer listed stop being contact persons (and lose their address here).
        # The previous list is one document per municipality (read by _id: cheap on FerretDB,
        # which would scan every recipient for a filter on municipality_id).
        previous = await stores.contact_lists.find_one({"_id": fact.municipality_id})
        before = set(previous["contact_ids"]) if previous else set()
        removed = sorted(before - ids)
        if removed:
            await stores.recipients.update_many(
                {"_id": {"$in": removed}},
                {"$set": {"active": False, "email": None, "name": None}},
            )
        await stores.contact_lists.replace_one(
            {"_id": fact.municipality_id},
            {
                "contact_ids": sorted(ids),
                "contacts": [
                    r.model_dump(include={"id", "name", "email", "language"}) for r in listed
                ],
            },
            upsert=True,
        )
        notifier().delivery.facts_arrived(recipients=ids)
        added = [r for r in listed if r.id not in before]
        if added:
            memberships = stores.memberships.find(
                {"municipality_id": fact.municipality_id, "active": True}
            )
            networks = [doc["network_id"] async for doc in memberships]
            await notifier().invite_late_comers(added, networks)

    @subs.on(ReportPublished, ReportRevised)
    async def report(fact: ReportPublished | ReportRevised, event: CloudEvent) -> None:
        scope = ReportScope.of(fact)
        # Who could read it, kept for its withdrawal (which carries no visibility).
        await stores_of(runtime_ref()).reports.replace_one(
            {"_id": fact.report_id},
            {
                "municipality_id": scope.municipality_id,
                "region_id": scope.region_id,
                "network_ids": sorted(scope.network_ids),
                "visibility": str(scope.visibility),
            },
            upsert=True,
        )
        if fact.visibility is not Visibility.PRIVATE:
            n = notifier()
            tags = [str(a) for a in fact.tags.learning_arenas]
            recipients = audience.union(
                await audience.subscribers(n.stores, "network", fact.network_ids),
                await audience.subscribers(n.stores, "report_tag", tags),
                await audience.subscribers(
                    n.stores, "report_level", [str(fact.tags.level)] if fact.tags.level else []
                ),
            )
            kind = (
                Kind.REPORT_PUBLISHED if isinstance(fact, ReportPublished) else Kind.REPORT_REVISED
            )
            await n.notify(
                kind,
                event,
                recipients,
                {"report_id": fact.report_id},
                {"report": fact.title or ""},
            )
        await after(fact, event)

    @subs.on(ReportWithdrawn)
    async def withdrawn(fact: ReportWithdrawn, event: CloudEvent) -> None:
        stores = stores_of(runtime_ref())
        # Digest lines not sent yet about a withdrawn report are dropped.
        await stores.notifications.update_many(
            {"refs.report_id": fact.report_id, "digest": {"$exists": True}, "status": "queued"},
            {"$set": {"status": "skipped", "digest_at": None}},
        )
        known = await stores.reports.find_one({"_id": fact.report_id})
        scope = (
            ReportScope(
                known["municipality_id"],
                known["region_id"],
                frozenset(known["network_ids"]),
                Visibility(known["visibility"]),
            )
            if known
            else None
        )
        await after(fact, event, report=scope)

    # -- events ---------------------------------------------------------------------------
    @subs.on(EventScheduled)
    async def scheduled(fact: EventScheduled, event: CloudEvent) -> None:
        n = notifier()
        await upsert_if_newer(
            n.stores,
            fact.event_id,
            fact.sequence,
            {
                "network_id": fact.network_id,
                "region_id": fact.region_id,
                "kind": str(fact.kind),
                "title": fact.title,
                "starts_at": fact.starts_at,
                "ends_at": fact.ends_at,
                "timezone": fact.timezone,
                "venue": fact.venue,
                "online_url": fact.online_url,
                "reminder_minutes_before": fact.reminder_minutes_before,
                "sequence": fact.sequence,
                "cancelled": False,
                "scheduled_id": event.id,
            },
        )
        await schedule_event_reminder(n.stores, fact.event_id)
        n.delivery.facts_arrived(events={fact.event_id})
        recipients = audience.union(
            await audience.member_contacts(n.stores, fact.network_id),
            await audience.subscribers(n.stores, "network", [fact.network_id or ""]),
            await audience.subscribers(n.stores, "event_kind", [str(fact.kind)]),
        )
        await n.notify(
            Kind.EVENT_INVITATION,
            event,
            recipients,
            {"event_id": fact.event_id},
            await event_params(n.stores, fact.event_id),
        )
        await after(fact, event)

    @subs.on(EventUpdated, EventRescheduled, EventCancelled)
    async def changed(
        fact: EventUpdated | EventRescheduled | EventCancelled, event: CloudEvent
    ) -> None:
        n = notifier()
        changes: Document = {"sequence": fact.sequence}
        params: dict[str, Any] = {}
        if isinstance(fact, EventUpdated):
            kind = Kind.EVENT_UPDATED
            changes.update(
                title=fact.title,
                venue=fact.venue,
                online_url=fact.online_url,
                reminder_minutes_before=fact.reminder_minutes_before,
            )
        elif isinstance(fact, EventRescheduled):
            kind = Kind.EVENT_RESCHEDULED
            changes.update(starts_at=fact.starts_at, ends_at=fact.ends_at, timezone=fact.timezone)
            params["previous_starts_at"] = fact.previous_starts_at.isoformat()
        else:
            kind = Kind.EVENT_CANCELLED
            changes.update(cancelled=True)
            params["reason"] = fact.reason
        await upsert_if_newer(n.stores, fact.event_id, fact.sequence, changes)
        await schedule_event_reminder(n.stores, fact.event_id)
        if isinstance(fact, EventCancelled):
            await n.stores.reminders.delete_many({"event_id": fact.event_id})
        recipients = await audience.participants(
            n.stores, fact.event_id, ("confirmed", "waitlisted", "offered")
        )
        await n.notify(
            kind,
            event,
            recipients,
            {"event_id": fact.event_id},
            {**await event_params(n.stores, fact.event_id), **params},
        )
        await after(fact, event)

    @subs.on(EventCompleted)
    async def completed(fact: EventCompleted, event: CloudEvent) -> None:
        n = notifier()
        await n.stores.reminders.delete_many({"event_id": fact.event_id})
        attended = await audience.participants(n.stores, fact.event_id, ("confirmed",), True)
        recipients = attended or await audience.participants(n.stores, fact.event_id)
        await n.notify(
            Kind.EVENT_FOLLOWUP,
            event,
            recipients,
            {"event_id": fact.event_id},
            await event_params(n.stores, fact.event_id),
        )
        await after(fact, event)

    @subs.on(AssignmentAssigned, AssignmentDue)
    async def assignment(fact: AssignmentAssigned | AssignmentDue, event: CloudEvent) -> None:
        n = notifier()
        params = {**await event_params(n.stores, fact.event_id), "due_at": fact.due_at.isoformat()}
        if isinstance(fact, AssignmentAssigned):
            kind = Kind.ASSIGNMENT_ASSIGNED
            params["task"] = fact.title
            await n.stores.assignments.replace_one(
                {"_id": fact.assignment_id},
                {"event_id": fact.event_id, "title": fact.title, "phase": str(fact.phase)},
                upsert=True,
            )
            if fact.phase is AssignmentPhase.PRE:
                await n.stores.reminders.replace_one(
                    {"_id": f"assignment:{fact.assignment_id}"},
                    {
                        "kind": str(Kind.ASSIGNMENT_REMINDER),
                        "event_id": fact.event_id,
                        "assignment_id": fact.assignment_id,
                        "task": fact.title,
                        "due_at": fact.due_at - ASSIGNMENT_REMINDER_BEFORE,
                        "not_after": fact.due_at,
                    },
                    upsert=True,
                )
        else:
            kind = Kind.ASSIGNMENT_DUE
            found = await n.stores.assignments.find_one({"_id": fact.assignment_id})
            params["task"] = found["title"] if found else ""
            await n.stores.reminders.delete_one({"_id": f"assignment:{fact.assignment_id}"})
        recipients = await audience.participants(n.stores, fact.event_id)
        await n.notify(
            kind,
            event,
            recipients,
            {"event_id": fact.event_id, "assignment_id": fact.assignment_id},
            params,
        )
        taking_part = await audience.registered_through(n.stores, {"event_id": fact.event_id})
        await after(fact, event, taking_part=taking_part)

    # -- registrations --------------------------------------------------------------------
    @subs.on(*REGISTRATION_KINDS)
    async def registration(fact: RegistrationConfirmed, event: CloudEvent) -> None:
        n = notifier()
        kind, status = REGISTRATION_KINDS[type(fact)]
        params: dict[str, Any] = {}
        if isinstance(fact, RegistrationPromoted) and fact.offer_expires_at is not None:
            status = "offered"
            params["offer_expires_at"] = fact.offer_expires_at.isoformat()
        if isinstance(fact, RegistrationWaitlisted):
            params["position"] = fact.position
        await n.stores.shared.registrations.write(
            UpdateOne(
                {"_id": fact.registration_id},
                {
                    "$set": {
                        "event_id": fact.event_id,
                        "participant_id": fact.participant_id,
                        "municipality_id": fact.municipality_id,
                        "status": status,
                    }
                },
                upsert=True,
            )
        )
        recipient = Recipient(id=fact.participant_id, type="participant")
        await n.notify(
            kind,
            event,
            [recipient],
            {"event_id": fact.event_id, "registration_id": fact.registration_id},
            {**await event_params(n.stores, fact.event_id), **params},
        )
        await after(fact, event)

    @subs.on(RegistrationAwaitingApproval)
    async def awaiting_approval(fact: RegistrationAwaitingApproval, event: CloudEvent) -> None:
        """The municipality's contact persons decide: the mail opens the event's page."""
        n = notifier()
        app_url = n.delivery.settings.app_url.rstrip("/")
        await n.notify(
            Kind.REGISTRATION_AWAITING_APPROVAL,
            event,
            await audience.contacts_of(n.stores, [fact.municipality_id]),
            {"event_id": fact.event_id, "registration_id": fact.registration_id},
            {
                **await event_params(n.stores, fact.event_id),
                "event_url": f"{app_url}/events/{fact.event_id}",
            },
        )
        await after(fact, event)

    @subs.on(AttendanceRecorded)
    async def attendance(fact: AttendanceRecorded, event: CloudEvent) -> None:
        stores = stores_of(runtime_ref())
        await stores.registrations.update_one(
            {"_id": fact.registration_id},
            {
                "$set": {
                    "event_id": fact.event_id,
                    "participant_id": fact.participant_id,
                    "attended": fact.attended,
                }
            },
            upsert=True,
        )
        await after(fact, event)

    @subs.on(ParticipantContactRecorded)
    async def participant_contact(fact: ParticipantContactRecorded, event: CloudEvent) -> None:
        stores = stores_of(runtime_ref())
        erased = await stores.recipients.find_one({"_id": fact.participant_id, "erased": True})
        if erased is not None:
            return  # a late copy of an address the person asked us to forget
        await stores.shared.recipients.write(
            ReplaceOne(
                {"_id": fact.participant_id},
                {
                    "type": "participant",
                    "name": fact.name,
                    "email": fact.email,
                    "language": str(fact.language),
                    "manage_url": fact.manage_url,
                    "active": True,
                },
                upsert=True,
            )
        )
        notifier().delivery.facts_arrived(recipients={fact.participant_id})

    @subs.on(ParticipantErased, ParticipantAnonymised)
    async def erased(fact: ParticipantErased | ParticipantAnonymised, event: CloudEvent) -> None:
        """Asked to be forgotten, or past the retention after their last event: the same."""
        stores = stores_of(runtime_ref())
        pid = fact.participant_id
        # Webhooks first: who knew the participant is read from the registrations about to go
        # (a redelivery after a crash finds the deliveries queued already).
        knew = await audience.registered_through(stores, {"participant_id": pid})
        await after(fact, event, taking_part=knew)
        await stores.registrations.delete_many({"participant_id": pid})
        await stores.inbox_reads.delete_many({"recipient_id": pid})
        # Unsent mail is dropped; sent notices keep only their ids (the unique key must stay).
        await stores.notifications.update_many(
            {"recipient_id": pid},
            {"$set": {"params": {}, "pending": False, "erased": True}},
        )
        # The marker comes last, so whoever sees it sees the rest done; being a replacement, it
        # also wipes contact details that a concurrent ParticipantContactRecorded wrote meanwhile.
        await stores.recipients.replace_one(
            {"_id": pid}, {"type": "participant", "erased": True, "active": False}, upsert=True
        )

    return subs
