"""The events' reads the planning routes need, by name (the lists read a timeline instead,
``stores.listed_ways``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from samling_runtime.mongo import find_by_ids, find_each
from samling_runtime.store import AggregateStore

from samling_events.domain.events import Event, EventStatus

#: Every state an event is listed in (drafts are their organisers' only).
LISTED = [s.value for s in EventStatus if s != EventStatus.DRAFT]


@dataclass(frozen=True)
class EventQueries:
    events: AggregateStore[Event]

    async def by_ids(self, event_ids: list[str]) -> dict[str, Event]:
        """The events found among ``event_ids``, by id (one ``_id`` equality each)."""
        found = await find_by_ids(self.events.current, event_ids)
        return {id_: self.events.from_current(doc) for id_, doc in found.items()}

    async def listed_with(
        self, field: Literal["_id", "network_id"], values: list[str]
    ) -> list[Event]:
        """Listed events whose ``field`` is one of ``values``: one indexed query per value."""
        queries = [{field: value, "status": {"$in": LISTED}} for value in values]
        return [self.events.from_current(d) for d in await find_each(self.events.current, queries)]

    async def regions_of(self, event_ids: list[str]) -> list[str]:
        """The regions the events are in, each once."""
        return await self.events.current.distinct("region_id", {"_id": {"$in": event_ids}})

    async def of_series(self, series_id: str) -> list[Event]:
        """Every occurrence, held or not, cancelled or not, by start."""
        docs = await self.events.current.find({"series_id": series_id}).to_list()
        return sorted((self.events.from_current(d) for d in docs), key=lambda e: e.starts_at)

    async def of_series_after(self, series_id: str, moment: datetime) -> list[Event]:
        """The occurrences starting after ``moment``."""
        docs = await self.events.current.find(
            {"series_id": series_id, "starts_at": {"$gt": moment}}
        ).to_list()
        return [self.events.from_current(d) for d in docs]

    async def overlapping(self, event: Event) -> list[Event]:
        """The other events not cancelled that overlap ``event`` in time and share its network
        or its venue (none when it has neither)."""
        window: dict[str, Any] = {
            "_id": {"$ne": event.id},
            "status": {"$ne": EventStatus.CANCELLED.value},
            "starts_at": {"$lt": event.ends_at},
            "ends_at": {"$gt": event.starts_at},
        }
        # One equality each (the network's events, the venue's), not an $or: FerretDB v1
        # pushes only equalities down, and an $or would read every event there is.
        ways = [
            {key: value, **window}
            for key, value in (("network_id", event.network_id), ("venue", event.venue))
            if value
        ]
        docs = await find_each(self.events.current, ways)
        return [self.events.from_current(d) for d in docs]
