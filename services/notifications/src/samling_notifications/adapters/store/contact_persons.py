"""A municipality's contact persons in the store: a recipient document each (address and
language), and one ``contact_lists`` document per municipality naming them, which fan-outs
read by ``_id`` (see :func:`samling_notifications.adapters.store.audience.contacts_of`)."""

from __future__ import annotations

from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from samling_runtime.mongo import Document, insert_new

from samling_notifications.domain.notices import Recipient


class ContactPersons:
    def __init__(
        self, recipients: AsyncCollection[Document], contact_lists: AsyncCollection[Document]
    ) -> None:
        self._recipients = recipients
        self._contact_lists = contact_lists

    async def replace(self, municipality_id: str, listed: list[Recipient]) -> frozenset[str]:
        """The municipality's contact persons become ``listed``; returns the ids it had
        before. Those no longer listed stop being contact persons (and lose their address
        here)."""
        ids = {r.id for r in listed}
        docs = [{**r.details(), "municipality_id": municipality_id} for r in listed]
        # New contact persons are one bulk insert; those known already are replaced.
        known = await insert_new(self._recipients, docs)
        if known:
            await self._recipients.bulk_write(
                [ReplaceOne({"_id": docs[i]["_id"]}, docs[i], upsert=True) for i in known],
                ordered=False,
            )
        # The previous list is one document per municipality (read by _id: cheap on FerretDB,
        # which would scan every recipient for a filter on municipality_id).
        previous = await self._contact_lists.find_one({"_id": municipality_id})
        before = frozenset(previous["contact_ids"]) if previous else frozenset()
        removed = sorted(before - ids)
        if removed:
            await self._recipients.update_many(
                {"_id": {"$in": removed}},
                {"$set": {"active": False, "email": None, "name": None}},
            )
        await self._contact_lists.replace_one(
            {"_id": municipality_id},
            {
                "contact_ids": sorted(ids),
                "contacts": [
                    r.model_dump(include={"id", "name", "email", "language"}) for r in listed
                ],
            },
            upsert=True,
        )
        return before
