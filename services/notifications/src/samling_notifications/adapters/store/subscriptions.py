"""Subscriptions in the store: one document per (subscriber, target, value), its ``_id`` made
of those, so subscribing twice keeps one. An owner is a (subscriber type, subscriber id)."""

from __future__ import annotations

from pymongo.asynchronous.collection import AsyncCollection
from samling_runtime.mongo import Document, find_each
from samling_runtime.pagination import after_cursor

Owner = tuple[str, str]


def _owner_filters(owners: list[Owner]) -> list[Document]:
    return [{"subscriber_type": kind, "subscriber_id": owner_id} for kind, owner_id in owners]


class Subscriptions:
    def __init__(self, subscriptions: AsyncCollection[Document]) -> None:
        self._subscriptions = subscriptions

    async def keep(self, subscription_id: str, doc: Document) -> tuple[bool, Document]:
        """Whether it is new, and the subscription as stored (the first one's, if not)."""
        result = await self._subscriptions.update_one(
            {"_id": subscription_id}, {"$setOnInsert": doc}, upsert=True
        )
        saved = await self._subscriptions.find_one({"_id": subscription_id})
        assert saved is not None
        return result.upserted_id is not None, saved

    async def of_owners(
        self, owners: list[Owner], cursor: str | None, limit: int
    ) -> list[Document]:
        """Up to ``limit`` + 1 of the owners' subscriptions after ``cursor``, oldest first."""
        # One indexed query per owner (FerretDB v1 does not push an $or down), each after the
        # cursor (merging the cursor's own $or into the owners' would replace it).
        later = after_cursor("created_at", cursor)
        return await find_each(
            self._subscriptions,
            [{**owner, **later} for owner in _owner_filters(owners)],
            sort=[("created_at", 1), ("_id", 1)],
            limit=limit + 1,
        )

    async def remove(self, subscription_id: str, owners: list[Owner]) -> bool:
        """Whether one of the owners had it (and now has not)."""
        result = await self._subscriptions.delete_one(
            {"_id": subscription_id, "$or": _owner_filters(owners)}
        )
        return result.deleted_count > 0
