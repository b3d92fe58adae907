"""The waiting lists the sweep serves: those of events that have not ended and still promote.

Waiting lists are never cleared (an event's end and its anonymisation leave the waiting
registrations as they are), so the sweep before this asked the store for the events of every
waiting registration there ever was (``distinct("event_id", {"status": "waitlisted"})``) and
looked each one up, every 30 seconds: a read that grew with every full event held.

Now it starts from the events that can still use a freed seat, found through the event
list's timeline (``EVENT_TIMELINE``, the week each event starts in): the weeks from the
longest an event may last before now on that the timeline's directory knows, one equality
per (week, promoting state), then each such event's waiting list by ``event_id`` and
``status`` (one registration at most). What it reads is bounded by the events to come (and
the directory's one entry per week that held an event), not by the years behind them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from samling_runtime.mongo import Document, find_each

from samling_events.adapters.store.stores import EVENT_TIMELINE, Stores
from samling_events.domain.events import LONGEST, Event
from samling_events.domain.registrations import RegistrationStatus
from samling_events.domain.seating import PROMOTING, fills_freed_seats

ALL_EVENTS = "all"
"""The timeline's directory key every event is listed under (``stores.event_keys``)."""


async def events_to_fill(stores: Stores, now: datetime) -> list[Event]:
    """The events whose free seats the sweep offers to their waiting list, by start: not
    ended, promoting, someone waiting."""
    candidates = await _not_ended_promoting(stores, now)
    waiting = await asyncio.gather(*(_someone_waits(stores, e.id) for e in candidates))
    return [event for event, waits in zip(candidates, waiting, strict=True) if waits]


async def _someone_waits(stores: Stores, event_id: str) -> bool:
    query = {"event_id": event_id, "status": RegistrationStatus.WAITLISTED.value}
    return await stores.registrations.current.find_one(query, {"_id": 1}) is not None


async def _not_ended_promoting(stores: Stores, now: datetime) -> list[Event]:
    timeline = stores.events.timelines[EVENT_TIMELINE.name]
    first = EVENT_TIMELINE.bucket(now - LONGEST)  # an event that started before has ended
    weeks = [week for week in await timeline.buckets(ALL_EVENTS) if week >= first]
    queries: list[Document] = [
        {EVENT_TIMELINE.bucket_field: week, "status": status.value}
        for week in weeks
        for status in sorted(PROMOTING)
    ]
    copies = await find_each(stores.events.current, queries)
    events = [stores.events.from_current(doc) for doc in copies]
    return sorted(
        (e for e in events if fills_freed_seats(e, now)), key=lambda e: (e.starts_at, e.id)
    )
