"""One event's seats and waiting list in MongoDB/FerretDB (the use cases' ``SeatBook``).

A seat document's ``_id`` is ``<event id>:<seat no>`` with ``1 <= seat no <= capacity``, so
two writers (two replicas, or a desk and a stale cache) can never both hold a seat: the second
insert is a duplicate-key error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError
from samling_runtime.mongo import Document, insert_new
from samling_runtime.store import AggregateStore

from samling_events.adapters.store.stores import SEATS_BY_TAKEN, roster_entry
from samling_events.domain.events import Event
from samling_events.domain.registrations import Registration, RegistrationStatus


class DeskStores(Protocol):
    """The part of :class:`~samling_events.adapters.store.stores.Stores` the desk uses."""

    @property
    def events(self) -> AggregateStore[Event]: ...
    @property
    def registrations(self) -> AggregateStore[Registration]: ...
    @property
    def seats(self) -> AsyncCollection[Document]: ...
    @property
    def participants(self) -> AsyncCollection[Document]: ...
    @property
    def roster(self) -> AsyncCollection[Document]: ...


def seat_id(event_id: str, seat_no: int) -> str:
    return f"{event_id}:{seat_no:06d}"


class MongoSeatBook:
    def __init__(self, event_id: str, stores: DeskStores) -> None:
        self.event_id = event_id
        self._stores = stores

    async def taken(self) -> dict[int, str]:
        cursor = self._stores.seats.find(
            {"event_id": self.event_id}, {"seat_no": 1, "registration_id": 1}
        )
        return {doc["seat_no"]: doc["registration_id"] async for doc in cursor}

    async def count(self) -> int:
        """How many seats are taken: one indexed count (a seat is a document of its own)."""
        return await self._stores.seats.count_documents({"event_id": self.event_id})

    async def highest(self) -> int:
        """The highest seat number taken (0 when none is)."""
        top = await self._stores.seats.find_one({"event_id": self.event_id}, sort=[("seat_no", -1)])
        return int((top or {}).get("seat_no", 0))

    def _seat_doc(self, seat_no: int, registration_id: str, now: datetime) -> Document:
        return {
            "_id": seat_id(self.event_id, seat_no),
            "event_id": self.event_id,
            "seat_no": seat_no,
            "registration_id": registration_id,
            "taken_at": now,
            # The repair sweep reads the seats taken in a bucket of time by equality.
            **SEATS_BY_TAKEN.fields(now),
        }

    async def claim(self, planned: Mapping[str, int], now: datetime) -> set[str]:
        docs = [self._seat_doc(n, r, now) for r, n in planned.items()]
        return {docs[i]["registration_id"] for i in await insert_new(self._stores.seats, docs)}

    async def take(self, seat_no: int, registration_id: str, now: datetime) -> bool:
        try:
            await self._stores.seats.insert_one(self._seat_doc(seat_no, registration_id, now))
        except DuplicateKeyError:
            return False
        return True

    async def give_back(self, seat_no: int, registration_id: str) -> None:
        await self._stores.seats.delete_one(
            {"_id": seat_id(self.event_id, seat_no), "registration_id": registration_id}
        )

    async def free(self, seat_nos: Iterable[int]) -> None:
        ids = [seat_id(self.event_id, n) for n in seat_nos]
        await self._stores.seats.delete_many({"_id": {"$in": ids}})

    async def release(self, registration_ids: Sequence[str]) -> None:
        await self._stores.seats.delete_many(
            {"event_id": self.event_id, "registration_id": {"$in": list(registration_ids)}}
        )

    async def waiting_count(self) -> int:
        return await self._stores.registrations.current.count_documents(
            {"event_id": self.event_id, "status": RegistrationStatus.WAITLISTED.value}
        )

    async def waiting_line(self) -> AsyncIterator[Registration]:
        cursor = self._stores.registrations.current.find(
            {"event_id": self.event_id, "status": RegistrationStatus.WAITLISTED.value},
            sort=[("arrived_at", ASCENDING), ("arrival_seq", ASCENDING), ("_id", ASCENDING)],
        )
        async for doc in cursor:
            yield self._stores.registrations.from_current(doc)

    async def record_contacts(self, people: Sequence[tuple[Registration, dict[str, Any]]]) -> None:
        contacts = {contact["_id"]: contact for _, contact in people}
        roster = {reg.id: roster_entry(reg, contact) for reg, contact in people}
        await asyncio.gather(
            _write_all(self._stores.participants, list(contacts.values())),
            _write_all(self._stores.roster, list(roster.values())),
        )


async def _write_all(collection: AsyncCollection[Document], docs: list[Document]) -> None:
    """Insert new documents in one round trip; rewrite only those already there."""
    known = [docs[i] for i in await insert_new(collection, docs)]
    await asyncio.gather(*(collection.replace_one({"_id": d["_id"]}, d) for d in known))
