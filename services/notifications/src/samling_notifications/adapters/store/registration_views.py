"""The registrations' read model: one document per registration (its event, participant,
municipality, status and attendance), kept by the registration facts and read for who takes
part in an event."""

from __future__ import annotations

from collections.abc import Iterable

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from samling_contracts.events import AttendanceRecorded
from samling_runtime.batching import BulkWriter
from samling_runtime.mongo import Document

from samling_notifications.domain.audience import Registration
from samling_notifications.domain.notices import Recipient, RecipientType


class RegistrationViews:
    def __init__(self, registrations: AsyncCollection[Document], writer: BulkWriter) -> None:
        self._registrations = registrations
        self._writer = writer
        """The batch's writes of this read model, sent together (``Shared.registrations``)."""

    async def record(self, fact: Registration, status: str) -> None:
        """The registration with the status the fact leaves it in."""
        await self._writer.write(
            UpdateOne(
                {"_id": fact.registration_id},
                {
                    "$set": {
                        "event_id": fact.event_id,
                        "participant_id": fact.participant_id,
                        "municipality_id": fact.municipality_id,
                        "status": status,
                    }
                },
                upsert=True,
            )
        )

    async def record_attendance(self, fact: AttendanceRecorded) -> None:
        await self._registrations.update_one(
            {"_id": fact.registration_id},
            {
                "$set": {
                    "event_id": fact.event_id,
                    "participant_id": fact.participant_id,
                    "attended": fact.attended,
                }
            },
            upsert=True,
        )

    async def forget_participant(self, participant_id: str) -> None:
        """Every registration of the participant goes."""
        await self._registrations.delete_many({"participant_id": participant_id})

    async def participants(
        self,
        event_id: str,
        statuses: Iterable[str] = ("confirmed",),
        attended: bool | None = None,
    ) -> list[Recipient]:
        """The people registered for the event in one of ``statuses`` (and, unless None,
        whose attendance is ``attended``)."""
        query: dict[str, object] = {"event_id": event_id, "status": {"$in": list(statuses)}}
        if attended is not None:
            query["attended"] = attended
        cursor = self._registrations.find(query, {"participant_id": 1})
        return [
            Recipient(id=doc["participant_id"], type=RecipientType.PARTICIPANT)
            async for doc in cursor
        ]

    async def municipalities_of_event(self, event_id: str) -> frozenset[str]:
        """The municipalities with registrations for the event."""
        return await self._municipalities({"event_id": event_id})

    async def municipalities_of_participant(self, participant_id: str) -> frozenset[str]:
        """The municipalities the participant registered through."""
        return await self._municipalities({"participant_id": participant_id})

    async def _municipalities(self, query: Document) -> frozenset[str]:
        cursor = self._registrations.find(query, {"municipality_id": 1})
        return frozenset([d["municipality_id"] async for d in cursor if d.get("municipality_id")])
