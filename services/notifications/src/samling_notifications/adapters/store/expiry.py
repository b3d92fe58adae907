"""Notices expire: deleted with their read state once older than the retention.

FerretDB has no TTL indexes, and a ``created_at`` range is not pushed down to PostgreSQL, so a
notice carries the hour it was created in (``_created_at_bucket``, written by
``notices.notice_documents``) and the hourly sweep reads only the hours that came due since its
last round (:mod:`samling_runtime.time_buckets`): one equality each, not the whole collection.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo.asynchronous.collection import AsyncCollection
from samling_contracts.vocabulary import Channel
from samling_runtime.mongo import Document, delete_each
from samling_runtime.time_buckets import LOOKBACK, BucketSweep, TimeBuckets, bucketed

NOTICES_BY_HOUR = TimeBuckets("created_at", timedelta(hours=1))


class NoticeExpiry:
    def __init__(
        self,
        notifications: AsyncCollection[Document],
        reads: AsyncCollection[Document],
        marks: AsyncCollection[Document],
    ) -> None:
        self._notifications = notifications
        self._reads = reads
        self._sweep = BucketSweep("notices-expire", NOTICES_BY_HOUR, marks, LOOKBACK)

    async def prepare(self) -> int:
        """The hour index, and the back-fill of notices from before it (at start)."""
        return await bucketed(self._notifications, NOTICES_BY_HOUR, self._sweep.marks)

    async def delete_before(self, moment: datetime) -> int:
        """Delete the notices created before ``moment`` and their read state; returns how
        many notices."""
        removed = 0

        async def expire(old: Document) -> None:
            nonlocal removed
            cursor = self._notifications.find(old, {"channel": 1})
            # Only inbox notices have a read state (Inbox.mark); one indexed delete each.
            found = [d async for d in cursor]
            if not found:
                return  # most hours of a catch-up: one read, no delete
            read = [d["_id"] for d in found if d.get("channel") == str(Channel.INBOX)]
            # The read states first: a crash in between leaves the hour unfinished, to be
            # read again, never read states whose notice is gone.
            await delete_each(self._reads, read)
            removed += (await self._notifications.delete_many(old)).deleted_count

        await self._sweep.round(moment, expire)
        return removed
