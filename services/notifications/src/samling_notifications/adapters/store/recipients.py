"""Recipients in the store: who a signed-in caller is, users who become reachable by
subscribing, participants and transfer managers as their facts tell how to reach them, and
who was erased (a marker document that a late copy of an address must not overwrite)."""

from __future__ import annotations

from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from samling_contracts.events import ParticipantContactRecorded
from samling_contracts.transfer import TransferManagerNamed
from samling_runtime.batching import BulkWriter
from samling_runtime.mongo import Document, find_by_ids

from samling_notifications.domain.notices import RecipientType

ERASED = {"erased": True, "active": False}
"""What an erased recipient's document keeps besides its type: nothing to reach them by."""


class Recipients:
    def __init__(self, recipients: AsyncCollection[Document], writer: BulkWriter) -> None:
        self._recipients = recipients
        self._writer = writer
        """The batch's replacements of recipients, sent together (``Shared.recipients``)."""

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

    async def erased(self, participant_id: str) -> bool:
        """Whether the participant asked to be forgotten (or was anonymised)."""
        marker = await self._recipients.find_one({"_id": participant_id, "erased": True})
        return marker is not None

    async def name_of(self, recipient_id: str) -> str:
        """The recipient's name, or "" when it is not known (or was erased)."""
        found = await self._recipients.find_one({"_id": recipient_id})
        return (found or {}).get("name") or ""

    async def reach_participant(self, fact: ParticipantContactRecorded) -> None:
        """The participant's address, language and private link, as recorded last."""
        await self._writer.write(
            ReplaceOne(
                {"_id": fact.participant_id},
                {
                    "type": str(RecipientType.PARTICIPANT),
                    "name": fact.name,
                    "email": fact.email,
                    "language": str(fact.language),
                    "manage_url": fact.manage_url,
                    "active": True,
                },
                upsert=True,
            )
        )

    async def name_manager(self, manager_id: str, fact: TransferManagerNamed) -> None:
        """The plan's manager (replacing an earlier one), with the participant they manage."""
        await self._writer.write(
            ReplaceOne(
                {"_id": manager_id},
                {
                    "type": str(RecipientType.MANAGER),
                    "name": fact.name,
                    "email": fact.email,
                    "language": str(fact.language),
                    "manage_url": fact.manager_url,
                    "plan_id": fact.plan_id,
                    "participant_id": fact.participant_id,
                    "active": True,
                },
                upsert=True,
            )
        )

    async def managers_of(self, participant_id: str) -> list[str]:
        """The ids of the managers named for the participant's transfer plans."""
        managers = self._recipients.find(
            {"participant_id": participant_id, "type": str(RecipientType.MANAGER)}, {"_id": 1}
        )
        return [doc["_id"] async for doc in managers]

    async def forget_manager(self, manager_id: str) -> None:
        """The manager's name and address go; the id stays, as a marker."""
        await self._recipients.replace_one(
            {"_id": manager_id}, {"type": str(RecipientType.MANAGER), **ERASED}
        )

    async def forget_participant(self, participant_id: str) -> None:
        """The participant's erasure marker; being a replacement, it also wipes contact details
        that a concurrent ParticipantContactRecorded wrote meanwhile."""
        await self._recipients.replace_one(
            {"_id": participant_id}, {"type": str(RecipientType.PARTICIPANT), **ERASED}, upsert=True
        )
