"""The registrations' reads the routes need, by name: every filter is written here, as a
top-level equality where the indexes in ``stores.open_stores`` can answer it (FerretDB v1
pushes down only those, docs/store-rule.md)."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.asynchronous.collection import AsyncCollection
from samling_runtime.mongo import Document, find_by_ids
from samling_runtime.pagination import after_cursor, encode_cursor
from samling_runtime.store import AggregateStore

from samling_events.domain.registrations import HOLDS_SEAT, Registration, RegistrationStatus

#: The registrations an attendance count includes: those holding (or waiting on) a seat.
COUNTED = [RegistrationStatus.CONFIRMED.value, RegistrationStatus.PENDING_APPROVAL.value]


@dataclass(frozen=True)
class RegistrationPage:
    items: list[Registration]
    next_cursor: str | None


@dataclass(frozen=True)
class AttendanceLine:
    municipality_id: str
    attended: bool


@dataclass(frozen=True)
class RegistrationQueries:
    registrations: AggregateStore[Registration]
    roster: AsyncCollection[Document]
    participants: AsyncCollection[Document]

    async def of_participant(self, participant_id: str) -> list[Registration]:
        """Every registration of the participant, in arrival order."""
        docs = await self.registrations.current.find(
            {"participant_id": participant_id}, sort=[("arrived_at", 1)]
        ).to_list()
        return [self.registrations.from_current(d) for d in docs]

    async def events_with_seat_of(self, participant_id: str) -> list[str]:
        """The events at which the participant holds (or is offered, or awaits approval
        for) a seat."""
        return await self.registrations.current.distinct(
            "event_id",
            {"participant_id": participant_id, "status": {"$in": [s.value for s in HOLDS_SEAT]}},
        )

    async def contacts(self, participant_ids: list[str]) -> dict[str, Document]:
        """The participants' names and e-mails, by participant id (erased ones are absent)."""
        return await find_by_ids(self.participants, participant_ids)

    async def naming(self, participant_id: str) -> list[Registration]:
        """The participant's registrations that still name them (erased ones name nobody)."""
        docs = await self.registrations.current.find(
            {"participant_id": participant_id, "erased": False}
        ).to_list()
        return [self.registrations.from_current(d) for d in docs]

    async def confirmed_at(self, event_id: str) -> list[Registration]:
        docs = await self.registrations.current.find(
            {"event_id": event_id, "status": RegistrationStatus.CONFIRMED.value}
        ).to_list()
        return [self.registrations.from_current(d) for d in docs]

    async def any_at(self, event_id: str) -> bool:
        found = await self.registrations.current.find_one({"event_id": event_id}, {"_id": 1})
        return found is not None

    async def count_at(
        self, event_id: str, status: RegistrationStatus, *, attended: bool | None = None
    ) -> int:
        """One count on the (event_id, status) index."""
        query: Document = {"event_id": event_id, "status": status.value}
        if attended is not None:
            query["attended"] = attended
        return await self.registrations.current.count_documents(query)

    async def waiting_line(self, event_id: str) -> list[str]:
        """The ids on the event's waiting list, in the order promotion serves them."""
        docs = await self.registrations.current.find(
            {"event_id": event_id, "status": RegistrationStatus.WAITLISTED.value},
            {"_id": 1},
            sort=[("arrived_at", 1), ("arrival_seq", 1), ("_id", 1)],
        ).to_list()
        return [doc["_id"] for doc in docs]

    async def attendance_lines(self, event_id: str) -> list[AttendanceLine]:
        """One line per counted registration: its municipality and whether it came."""
        docs = await self.registrations.current.find(
            {"event_id": event_id, "status": {"$in": COUNTED}},
            {"municipality_id": 1, "attended": 1},
        ).to_list()
        return [AttendanceLine(d["municipality_id"], bool(d.get("attended"))) for d in docs]

    async def across_events(
        self,
        municipality_id: str,
        status: RegistrationStatus | None,
        cursor: str | None,
        limit: int,
        *,
        newest: bool,
    ) -> RegistrationPage:
        """One page of a municipality's registrations at every event, by arrival."""
        query: Document = {"municipality_id": municipality_id}
        if status:
            query["status"] = status.value
        after = after_cursor("arrived_at", cursor, descending=newest)
        order = -1 if newest else 1
        docs = await self.registrations.current.find(
            {"$and": [query, after]} if after else query,
            sort=[("arrived_at", order), ("_id", order)],
            limit=limit + 1,
        ).to_list()
        last = docs[limit - 1] if len(docs) > limit else None
        return RegistrationPage(
            items=[self.registrations.from_current(d) for d in docs[:limit]],
            next_cursor=encode_cursor(last["arrived_at"], last["_id"]) if last else None,
        )

    async def at_event(
        self,
        event_id: str,
        municipality_id: str | None,
        status: RegistrationStatus | None,
        cursor: str | None,
        limit: int,
    ) -> RegistrationPage:
        """One page of the event's registrations (of one municipality, in one state), in
        arrival order: the waiting list's order."""
        query: Document = {"event_id": event_id}
        if municipality_id:
            query["municipality_id"] = municipality_id
        if status:
            query["status"] = status.value
        after = after_cursor("arrival_seq", cursor)
        docs = await self.registrations.current.find(
            {"$and": [query, after]} if after else query,
            sort=[("arrival_seq", 1), ("_id", 1)],
            limit=limit + 1,
        ).to_list()
        last = docs[limit - 1] if len(docs) > limit else None
        return RegistrationPage(
            items=[self.registrations.from_current(d) for d in docs[:limit]],
            next_cursor=encode_cursor(last["arrival_seq"], last["_id"]) if last else None,
        )

    async def roster_lines(self, event_id: str, municipality_id: str | None) -> dict[str, Document]:
        """The names the event's registrations (of one municipality) were made with, by
        registration id: one equality, not a look-up per participant."""
        query: Document = {"event_id": event_id}
        if municipality_id:
            query["municipality_id"] = municipality_id
        return {line["_id"]: line async for line in self.roster.find(query)}
