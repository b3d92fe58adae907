"""``samling.events.events``: the events' read model, their reminders, and who hears of
their announcement, changes, completion and assignments."""

from __future__ import annotations

from typing import Any

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


async def schedule_event_reminder(stores: Stores, event_id: str) -> None:
    """Move the event's reminder to its (new) start, or drop it when it was cancelled."""
    reminder = event_reminder(event_id, await stores.event_views.event(event_id))
    if reminder is None:
        await stores.agenda.drop(event_reminder_id(event_id))
        return
    await stores.agenda.put(reminder)


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
    await stores.event_views.record_scheduled(fact, event.id)
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
    params: dict[str, Any] = {}
    if isinstance(fact, EventUpdated):
        kind = Kind.EVENT_UPDATED
    elif isinstance(fact, EventRescheduled):
        kind = Kind.EVENT_RESCHEDULED
        params["previous_starts_at"] = fact.previous_starts_at.isoformat()
        params["reason"] = fact.message
    else:
        kind = Kind.EVENT_CANCELLED
        params["reason"] = fact.reason
    await stores.event_views.record_change(fact)
    await schedule_event_reminder(stores, fact.event_id)
    if isinstance(fact, EventCancelled):
        await stores.agenda.drop_all_of_event(fact.event_id)
    recipients = await stores.registration_views.participants(fact.event_id, TOLD_OF_CHANGES)
    await tell_about_event(ctx, kind, event, recipients, fact.event_id, params)


async def completed(ctx: Context, fact: EventCompleted, event: CloudEvent) -> None:
    stores = ctx.stores
    # The event's own reminders; its transfer plans' conversation after it is still to come.
    await stores.agenda.drop_own_of_event(fact.event_id)
    registered = stores.registration_views
    attended = await registered.participants(fact.event_id, TAKING_PART, True)
    recipients = followup_audience(
        attended, [] if attended else await registered.participants(fact.event_id)
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
        await stores.event_views.record_assignment(fact)
        reminder = assignment_reminder(fact)
        if reminder is not None:
            await stores.agenda.put(reminder)
    else:
        kind = Kind.ASSIGNMENT_DUE
        params["task"] = await stores.event_views.assignment_title(fact.assignment_id)
        await stores.agenda.drop(assignment_reminder_id(fact.assignment_id))
    recipients = await stores.registration_views.participants(fact.event_id)
    await ctx.notify(
        kind,
        event.id,
        recipients,
        {"event_id": fact.event_id, "assignment_id": fact.assignment_id},
        params,
    )


async def taking_part(ctx: Context, fact: AssignmentAssigned | AssignmentDue) -> WebhookAudience:
    """The municipalities with registrations for the event hear of its assignments."""
    registered = ctx.stores.registration_views
    return WebhookAudience(taking_part=await registered.municipalities_of_event(fact.event_id))
