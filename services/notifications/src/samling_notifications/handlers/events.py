"""``samling.events.events``: the events' read model, their reminders, and who hears of
their announcement, changes, completion and assignments."""

from __future__ import annotations

import contextlib
from typing import Any

from pymongo.errors import DuplicateKeyError
from samling_contracts import CloudEvent
from samling_contracts.events import (
    AssignmentAssigned,
    AssignmentDue,
    EventCancelled,
    EventCompleted,
    EventRescheduled,
    EventScheduled,
    EventUpdated,
)
from samling_runtime.mongo import Document

from samling_notifications.adapters.store import audience
from samling_notifications.adapters.store.notices import event_params
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.domain.audience import (
    TAKING_PART,
    TOLD_OF_CHANGES,
    WebhookAudience,
    assignment_reminder,
    assignment_reminder_id,
    event_reminder,
    event_reminder_id,
    followup_audience,
    union,
)
from samling_notifications.domain.notices import Kind, Recipient
from samling_notifications.handlers.context import Context


async def upsert_if_newer(stores: Stores, event_id: str, sequence: int, values: Document) -> None:
    """Apply an event fact to its read model unless a later one (higher SEQUENCE) is there."""
    # A DuplicateKeyError means the document exists with a newer sequence: older news.
    with contextlib.suppress(DuplicateKeyError):
        await stores.events.update_one(
            {"_id": event_id, "$or": [{"sequence": {"$lte": sequence}}, {"sequence": None}]},
            {"$set": {**values, "sequence": sequence}},
            upsert=True,
        )


async def schedule_event_reminder(stores: Stores, event_id: str) -> None:
    """Move the event's reminder to its (new) start, or drop it when it was cancelled."""
    reminder = event_reminder(event_id, await stores.events.find_one({"_id": event_id}))
    if reminder is None:
        await stores.reminders.delete_one({"_id": event_reminder_id(event_id)})
        return
    await stores.reminders.replace_one({"_id": reminder.id}, reminder.document(), upsert=True)


async def tell_about_event(
    ctx: Context,
    kind: Kind,
    event: CloudEvent,
    recipients: list[Recipient],
    event_id: str,
    extra: dict[str, Any] | None = None,
) -> None:
    """Notices about an event, showing what templates show of it (and ``extra``)."""
    params = {**await event_params(ctx.stores, event_id), **(extra or {})}
    await ctx.notify(kind, event.id, recipients, {"event_id": event_id}, params)


async def scheduled(ctx: Context, fact: EventScheduled, event: CloudEvent) -> None:
    stores = ctx.stores
    await upsert_if_newer(
        stores,
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
    await schedule_event_reminder(stores, fact.event_id)
    ctx.notices.facts_arrived(events={fact.event_id})
    recipients = union(
        await audience.member_contacts(stores, fact.network_id),
        await audience.subscribers(stores, "network", [fact.network_id or ""]),
        await audience.subscribers(stores, "event_kind", [str(fact.kind)]),
    )
    await tell_about_event(ctx, Kind.EVENT_INVITATION, event, recipients, fact.event_id)


async def changed(
    ctx: Context, fact: EventUpdated | EventRescheduled | EventCancelled, event: CloudEvent
) -> None:
    stores = ctx.stores
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
        params["reason"] = fact.message
    else:
        kind = Kind.EVENT_CANCELLED
        changes.update(cancelled=True)
        params["reason"] = fact.reason
    await upsert_if_newer(stores, fact.event_id, fact.sequence, changes)
    await schedule_event_reminder(stores, fact.event_id)
    if isinstance(fact, EventCancelled):
        await stores.reminders.delete_many({"event_id": fact.event_id})
    recipients = await audience.participants(stores, fact.event_id, TOLD_OF_CHANGES)
    await tell_about_event(ctx, kind, event, recipients, fact.event_id, params)


async def completed(ctx: Context, fact: EventCompleted, event: CloudEvent) -> None:
    stores = ctx.stores
    # The event's own reminders; its transfer plans' conversation after it is still to come.
    await stores.reminders.delete_many({"event_id": fact.event_id, "plan_id": None})
    attended = await audience.participants(stores, fact.event_id, TAKING_PART, True)
    recipients = followup_audience(
        attended, [] if attended else await audience.participants(stores, fact.event_id)
    )
    await tell_about_event(ctx, Kind.EVENT_FOLLOWUP, event, recipients, fact.event_id)


async def assignment(
    ctx: Context, fact: AssignmentAssigned | AssignmentDue, event: CloudEvent
) -> None:
    stores = ctx.stores
    params = {**await event_params(stores, fact.event_id), "due_at": fact.due_at.isoformat()}
    if isinstance(fact, AssignmentAssigned):
        kind = Kind.ASSIGNMENT_ASSIGNED
        params["task"] = fact.title
        await stores.assignments.replace_one(
            {"_id": fact.assignment_id},
            {"event_id": fact.event_id, "title": fact.title, "phase": str(fact.phase)},
            upsert=True,
        )
        reminder = assignment_reminder(fact)
        if reminder is not None:
            await stores.reminders.replace_one(
                {"_id": reminder.id}, reminder.document(), upsert=True
            )
    else:
        kind = Kind.ASSIGNMENT_DUE
        found = await stores.assignments.find_one({"_id": fact.assignment_id})
        params["task"] = found["title"] if found else ""
        await stores.reminders.delete_one({"_id": assignment_reminder_id(fact.assignment_id)})
    recipients = await audience.participants(stores, fact.event_id)
    await ctx.notify(
        kind,
        event.id,
        recipients,
        {"event_id": fact.event_id, "assignment_id": fact.assignment_id},
        params,
    )


async def taking_part(ctx: Context, fact: AssignmentAssigned | AssignmentDue) -> WebhookAudience:
    """The municipalities with registrations for the event hear of its assignments."""
    return WebhookAudience(
        taking_part=await audience.registered_through(ctx.stores, {"event_id": fact.event_id})
    )
