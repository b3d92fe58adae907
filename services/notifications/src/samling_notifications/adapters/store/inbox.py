"""The in-app inbox in the store: a person's inbox notices (one query per recipient id, an
equality the index answers; ``$in`` is not pushed down) and their read states, one document
per notification, replaced whole (no read-modify-write)."""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection
from samling_contracts.vocabulary import Channel
from samling_runtime.mongo import Document, count_each, find_each
from samling_runtime.pagination import after_cursor


def _mine(ids: list[str]) -> list[Document]:
    return [
        {"recipient_id": i, "channel": str(Channel.INBOX), "erased": {"$ne": True}} for i in ids
    ]


def _read_by(ids: list[str]) -> list[Document]:
    return [{"recipient_id": i, "read": True} for i in ids]


class Inbox:
    def __init__(
        self,
        notifications: AsyncCollection[Document],
        reads: AsyncCollection[Document],
    ) -> None:
        self._notifications = notifications
        self._reads = reads

    async def newest(
        self, ids: list[str], cursor: str | None, limit: int, *, unread_only: bool
    ) -> list[Document]:
        """Up to ``limit`` + 1 notices of the recipients after ``cursor``, newest first (the
        extra one tells that there is a next page)."""
        later = after_cursor("created_at", cursor, descending=True)
        queries = [{**q, **later} for q in _mine(ids)]
        if unread_only:
            read_ids = [d["_id"] for d in await find_each(self._reads, _read_by(ids))]
            queries = [{**q, "_id": {"$nin": read_ids}} for q in queries]
        return await find_each(
            self._notifications, queries, sort=[("created_at", -1), ("_id", -1)], limit=limit + 1
        )

    async def unread_count(self, ids: list[str]) -> int:
        total = await count_each(self._notifications, _mine(ids))
        read = await count_each(self._reads, _read_by(ids))
        return max(total - read, 0)

    async def read_states(self, ids: list[str]) -> dict[str, bool]:
        """Notification id → read, of the recipients' read states (one indexed query each)."""
        mine = await find_each(self._reads, [{"recipient_id": i} for i in ids])
        return {d["_id"]: d["read"] for d in mine}

    async def notice(self, notification_id: str) -> Document | None:
        """The inbox notice, unless it is not one or was erased."""
        return await self._notifications.find_one(
            {"_id": notification_id, "channel": str(Channel.INBOX), "erased": {"$ne": True}}
        )

    async def forget_reads_of(self, recipient_id: str) -> None:
        """The recipient's read states go (erasure)."""
        await self._reads.delete_many({"recipient_id": recipient_id})

    async def mark(self, notice: Document, read: bool, at: datetime) -> None:
        """The notice marked read or unread."""
        await self._reads.replace_one(
            {"_id": notice["_id"]},
            {"recipient_id": notice["recipient_id"], "read": read, "at": at},
            upsert=True,
        )
