"""Recipients in the store, as the routes need them: who a signed-in caller is, and users
who become reachable by subscribing."""

from __future__ import annotations

from pymongo.asynchronous.collection import AsyncCollection
from samling_runtime.mongo import Document, find_by_ids


class Recipients:
    def __init__(self, recipients: AsyncCollection[Document]) -> None:
        self._recipients = recipients

    async def by_ids(self, ids: list[str]) -> dict[str, Document]:
        """Recipient id → document, of those known."""
        return await find_by_ids(self._recipients, ids)

    async def active_with_email(self, email: str) -> list[str]:
        """The ids of the active recipients with exactly this address."""
        cursor = self._recipients.find({"email": email, "active": True}, {"_id": 1})
        return [doc["_id"] async for doc in cursor]

    async def reach_user(self, user_id: str, email: str | None) -> None:
        """The user becomes a recipient at that address."""
        await self._recipients.update_one(
            {"_id": user_id},
            {"$set": {"type": "user", "email": email, "active": True}},
            upsert=True,
        )
