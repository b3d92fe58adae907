"""Idempotent consumption: one marker document per (consumer group, event id), unique by _id.

A handler's own effects must be keyed too (they may run twice if the process dies between the
effect and the marker); the marker makes the common redelivery a cheap no-op.

Markers carry the time they were written, so :class:`samling_runtime.sweep.RetentionSweep` can
delete them once Kafka can no longer redeliver their event (``processed_retention_days``).
Markers written before they carried a time have none and are left alone.
"""

from collections.abc import Callable, Collection
from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samling_runtime.mongo import Document, find_by_ids, insert_new


class ProcessedEvents:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        group: str,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._collection = db["processed_events"]
        self._group = group
        self._now = now

    async def forget_before(self, moment: datetime) -> None:
        """Delete the markers (of every group of this service) written before ``moment``."""
        await self._collection.delete_many({"processed_at": {"$lt": moment}})

    def _key(self, event_id: str) -> str:
        return f"{self._group}:{event_id}"

    async def seen(self, event_id: str) -> bool:
        return await self._collection.find_one({"_id": self._key(event_id)}, {"_id": 1}) is not None

    async def mark(self, event_id: str) -> bool:
        """Record the event; False when it already was (a concurrent duplicate)."""
        try:
            await self._collection.insert_one(
                {"_id": self._key(event_id), "group": self._group, "processed_at": self._now()}
            )
        except DuplicateKeyError:
            return False
        return True

    async def seen_any(self, event_ids: Collection[str]) -> set[str]:
        """Which of the events were recorded (one ``_id`` look-up each, run concurrently)."""
        found = await find_by_ids(self._collection, map(self._key, event_ids), {"_id": 1})
        return {event_id for event_id in event_ids if self._key(event_id) in found}

    async def mark_many(self, event_ids: Collection[str]) -> None:
        """Record the events in one round trip (those recorded already stay as they are)."""
        now = self._now()
        await insert_new(
            self._collection,
            [{"_id": self._key(e), "group": self._group, "processed_at": now} for e in event_ids],
        )
