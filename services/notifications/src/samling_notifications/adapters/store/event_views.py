"""The events' read model (one document per event, written by the handlers of its partition,
each fact applied unless a later one is there) and the assignments' (title and phase, for the
reminder that names the task)."""

from __future__ import annotations

import contextlib
from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError
from samling_contracts.events import (
    AssignmentAssigned,
    EventCancelled,
    EventRescheduled,
    EventScheduled,
    EventUpdated,
)
from samling_runtime.mongo import Document, find_each


def _scheduled(fact: EventScheduled, scheduled_id: str) -> Document:
    return {
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
        "scheduled_id": scheduled_id,
    }


def _changes(fact: EventUpdated | EventRescheduled | EventCancelled) -> Document:
    if isinstance(fact, EventUpdated):
        return {
            "title": fact.title,
            "venue": fact.venue,
            "online_url": fact.online_url,
            "reminder_minutes_before": fact.reminder_minutes_before,
        }
    if isinstance(fact, EventRescheduled):
        return {"starts_at": fact.starts_at, "ends_at": fact.ends_at, "timezone": fact.timezone}
    return {"cancelled": True}


class EventViews:
    def __init__(
        self, events: AsyncCollection[Document], assignments: AsyncCollection[Document]
    ) -> None:
        self._events = events
        self._assignments = assignments

    async def record_scheduled(self, fact: EventScheduled, scheduled_id: str) -> None:
        """The event as scheduled; ``scheduled_id`` (the fact's id) is the source of every
        invitation to it, late-comers' too."""
        await self._apply(fact.event_id, fact.sequence, _scheduled(fact, scheduled_id))

    async def record_change(self, fact: EventUpdated | EventRescheduled | EventCancelled) -> None:
        """What the fact changes of the event (a cancelled event is kept, marked so)."""
        await self._apply(fact.event_id, fact.sequence, _changes(fact))

    async def _apply(self, event_id: str, sequence: int, values: Document) -> None:
        """Apply an event fact to its read model unless a later one (higher SEQUENCE) is there."""
        # A DuplicateKeyError means the document exists with a newer sequence: older news.
        with contextlib.suppress(DuplicateKeyError):
            await self._events.update_one(
                {"_id": event_id, "$or": [{"sequence": {"$lte": sequence}}, {"sequence": None}]},
                {"$set": {**values, "sequence": sequence}},
                upsert=True,
            )

    async def event(self, event_id: str) -> Document | None:
        """The event as the read model has it now (read on its own, not shared with other
        handlers' look-ups: the caller has just written it)."""
        return await self._events.find_one({"_id": event_id})

    async def upcoming_in(self, network_ids: list[str], now: datetime) -> list[Document]:
        """The networks' events that start after ``now`` (one indexed query per network)."""
        return await find_each(
            self._events, [{"network_id": n, "starts_at": {"$gt": now}} for n in network_ids]
        )

    async def record_assignment(self, fact: AssignmentAssigned) -> None:
        await self._assignments.replace_one(
            {"_id": fact.assignment_id},
            {"event_id": fact.event_id, "title": fact.title, "phase": str(fact.phase)},
            upsert=True,
        )

    async def assignment_title(self, assignment_id: str) -> str:
        """The assignment's title, or "" when its assignment fact has not come."""
        found = await self._assignments.find_one({"_id": assignment_id})
        return found["title"] if found else ""
