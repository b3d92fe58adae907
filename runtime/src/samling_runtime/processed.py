"""Idempotent consumption: one marker document per (consumer group, event id), unique by _id.

A handler's own effects must be keyed too (they may run twice if the process dies between the
effect and the marker); the marker makes the common redelivery a cheap no-op.

Markers carry the time they were written and its hour (``_processed_at_bucket``), so
:class:`samling_runtime.sweep.RetentionSweep` can delete them once Kafka can no longer
redeliver their event (``processed_retention_days``), an hour's markers at a time
(:mod:`samling_runtime.time_buckets`). Markers written before they carried a time have none and
are left alone.
"""

from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samling_runtime.mongo import Document, find_by_ids, insert_new
from samling_runtime.time_buckets import LOOKBACK, MARKS, BucketSweep, TimeBuckets, bucketed

MARKERS_BY_HOUR = TimeBuckets("processed_at", timedelta(hours=1))


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
        self._expiry = BucketSweep("processed-events", MARKERS_BY_HOUR, db[MARKS], LOOKBACK)

    async def prepare(self) -> None:
        """The hour index and the back-fill of markers from before it (at start)."""
        await bucketed(self._collection, MARKERS_BY_HOUR, self._expiry.marks)

    async def forget_before(self, moment: datetime) -> None:
        """Delete the markers (of every group of this service) written before ``moment``: one
        delete per hour that came due since the last round."""
        await self._expiry.round(moment, self._collection.delete_many)

    def _key(self, event_id: str) -> str:
        return f"{self._group}:{event_id}"

    def _marker(self, event_id: str, now: datetime) -> Document:
        return {
            "_id": self._key(event_id),
            "group": self._group,
            "processed_at": now,
            **MARKERS_BY_HOUR.fields(now),
        }

    async def seen(self, event_id: str) -> bool:
        return await self._collection.find_one({"_id": self._key(event_id)}, {"_id": 1}) is not None

    async def mark(self, event_id: str) -> bool:
        """Record the event; False when it already was (a concurrent duplicate)."""
        try:
            await self._collection.insert_one(self._marker(event_id, self._now()))
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
        await insert_new(self._collection, [self._marker(e, now) for e in event_ids])
