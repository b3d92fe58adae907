"""The events' reads the planning routes need, by name (the lists read a timeline instead,
``stores.listed_ways``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from samling_runtime.store import AggregateStore

from samling_events.domain.events import Event, EventStatus


@dataclass(frozen=True)
class EventQueries:
    events: AggregateStore[Event]

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
        ors: list[dict[str, Any]] = []
        if event.network_id:
            ors.append({"network_id": event.network_id})
        if event.venue:
            ors.append({"venue": event.venue})
        if not ors:
            return []
        # A known scan (tests/e2e/test_query_plans.py): rare, and one event's time range.
        docs = await self.events.current.find(
            {
                "_id": {"$ne": event.id},
                "status": {"$ne": EventStatus.CANCELLED.value},
                "starts_at": {"$lt": event.ends_at},
                "ends_at": {"$gt": event.starts_at},
                "$or": ors,
            }
        ).to_list()
        return [self.events.from_current(d) for d in docs]
