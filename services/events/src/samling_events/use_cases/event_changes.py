"""An organiser changes an event: its details, its times, its lifecycle (publish, close and
reopen registration, complete, cancel).

Each change is decided by the pure rules of :mod:`samling_events.domain.events` on the latest
stored event; the desks then forget their copy so the next registration sees the change.
Registrations stay as they are when an event is cancelled: the facts tell the participants.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from samling_kernel.decisions import Change
from samling_runtime.store import AggregateStore

from samling_events.domain import events as rules
from samling_events.domain.events import Event, EventDetails, TimeZoneName
from samling_events.domain.seating import promotes_waiting_list
from samling_events.use_cases.ports import EventDesks, SeatUsage, TransferPlans

Decision = Callable[[Event], Change[Event] | None]


async def _changed(
    events: AggregateStore[Event], desks: EventDesks, event_id: str, decide: Decision
) -> Event:
    changed = (await events.update(event_id, decide)).state
    desks.forget(event_id)
    return changed


async def change_details(
    events: AggregateStore[Event],
    usage: SeatUsage,
    desks: EventDesks,
    event_id: str,
    details: EventDetails,
) -> Event:
    """Title, venue, capacity, agenda...; never below a taken seat, and contingents only
    before anyone registered. New seats go to the waiting list at once."""
    highest = await usage.highest_taken_seat(event_id)
    has_registrations = await usage.has_registrations(event_id)
    decide = partial(
        rules.update_details,
        details=details,
        highest_taken_seat=highest,
        has_registrations=has_registrations,
    )
    changed = await _changed(events, desks, event_id, decide)
    if promotes_waiting_list(changed):
        await desks.promote(event_id)
    return changed


async def reschedule(
    events: AggregateStore[Event],
    desks: EventDesks,
    transfer: TransferPlans,
    event_id: str,
    *,
    starts_at: datetime,
    ends_at: datetime,
    timezone: TimeZoneName | None,
    message: str | None,
    transfer_after: timedelta,
) -> Event:
    """Move the event (registrations are kept and told) and its transfer conversations."""
    decide = partial(
        rules.reschedule,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        message=message,
    )
    moved = await _changed(events, desks, event_id, decide)
    await transfer.follow(moved, transfer_after)
    return moved


async def publish(events: AggregateStore[Event], desks: EventDesks, event_id: str) -> Event:
    """A draft becomes visible and open for registration."""
    return await _changed(events, desks, event_id, rules.publish)


async def close_registration(
    events: AggregateStore[Event], desks: EventDesks, event_id: str
) -> Event:
    """No more registrations (the waiting list still moves up when seats free)."""
    return await _changed(events, desks, event_id, rules.close_registration)


async def reopen_registration(
    events: AggregateStore[Event], desks: EventDesks, event_id: str
) -> Event:
    return await _changed(events, desks, event_id, rules.reopen_registration)


async def complete(
    events: AggregateStore[Event], desks: EventDesks, event_id: str, now: datetime
) -> Event:
    """The event was held: evaluation and follow-up can start."""
    return await _changed(events, desks, event_id, partial(rules.complete, now=now))


async def cancel(
    events: AggregateStore[Event], desks: EventDesks, event_id: str, reason: str | None
) -> Event:
    """Cancelled for everyone, with the reason they are told."""
    return await _changed(events, desks, event_id, partial(rules.cancel, reason=reason))
