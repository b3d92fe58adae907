"""The notices kept (one document per recipient, fact, kind and channel; see
:mod:`samling_notifications.adapters.store.notices` for how they are written): what erasure and
a report's withdrawal change of them."""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection
from samling_runtime.mongo import Document

from samling_notifications.domain.notices import Status


class NoticeLog:
    def __init__(self, notifications: AsyncCollection[Document]) -> None:
        self._notifications = notifications

    async def digest_lines_due(self, now: datetime) -> list[Document]:
        """The queued digest lines whose digest is due by ``now``."""
        return await self._notifications.find(
            {"digest_at": {"$lte": now}, "status": str(Status.QUEUED), "pending": False}
        ).to_list()

    async def mark_digested(self, notification_ids: list[str]) -> None:
        """The lines went into a digest notice (which is sent instead of them)."""
        await self._notifications.update_many(
            {"_id": {"$in": notification_ids}}, {"$set": {"status": str(Status.DIGESTED)}}
        )

    async def erase_of(self, recipient_id: str) -> None:
        """The recipient's unsent mail is dropped; sent notices keep only their ids (the
        unique key must stay, so a redelivered fact queues nothing again)."""
        await self._notifications.update_many(
            {"recipient_id": recipient_id},
            {"$set": {"params": {}, "pending": False, "erased": True}},
        )

    async def skip_digest_lines_about(self, report_id: str) -> None:
        """Digest lines about the report that are not sent yet are not sent."""
        await self._notifications.update_many(
            {
                "refs.report_id": report_id,
                "digest": {"$exists": True},
                "status": str(Status.QUEUED),
            },
            {"$set": {"status": str(Status.SKIPPED), "digest_at": None}},
        )
