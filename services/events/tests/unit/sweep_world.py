"""The events service's sweeper over the in-memory store (the fast tier): the stores opened as
the service opens them (``open_stores``), the real desks, and a count of what each sweep reads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

from pymongo.asynchronous.collection import AsyncCollection
from samling_devtools.memory_store import memory_database
from samling_devtools.store_runtime import store_runtime
from samling_events.adapters.store.seat_book import MongoSeatBook
from samling_events.adapters.store.stores import Stores, open_stores
from samling_events.adapters.store.sweeper import Sweeper
from samling_events.desk import Desks
from samling_events.domain.events import Event
from samling_runtime.mongo import Document
from samling_runtime.store import AggregateStore

from .desk_world import DeskWorld, _start


class Reads:
    """A collection that counts the documents its queries hand out."""

    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self._collection = collection
        self.documents = 0
        self.ids: set[str] = set()
        """The ``_id`` of every document handed out."""

    def saw(self, docs: Sequence[Document]) -> None:
        self.documents += len(docs)
        self.ids.update(doc["_id"] for doc in docs)

    def find(self, *args: Any, **kwargs: Any) -> _CountedCursor:
        return _CountedCursor(self._collection.find(*args, **kwargs), self)

    async def find_one(self, *args: Any, **kwargs: Any) -> Document | None:
        found = await self._collection.find_one(*args, **kwargs)
        self.saw([found] if found is not None else [])
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)


class _CountedCursor:
    def __init__(self, cursor: Any, reads: Reads) -> None:
        self._cursor = cursor
        self._reads = reads

    async def to_list(self, length: int | None = None) -> list[Document]:
        found: list[Document] = await self._cursor.to_list(length)
        self._reads.saw(found)
        return found

    async def __aiter__(self) -> AsyncIterator[Document]:
        for doc in await self.to_list():
            yield doc


class SweepWorld(DeskWorld):
    """``DeskWorld`` over the service's whole set of stores, with its sweeper."""

    async def open(self) -> None:
        db = memory_database()
        clock = self.clock

        runtime = store_runtime(db, clock.now)
        self.all: Stores = await open_stores(runtime)
        self.stores = self.all
        self.replicas = [Desks(self.all, clock, _start)]
        self.desks = self.replicas[0]
        self.sweeper = Sweeper(self.all, self.desks, clock, interval=30)
        self.seat_reads = self._count("seats")
        self.registration_reads = self._count("registrations")
        self.event_reads = self._count("events")

    def _count(self, name: str) -> Reads:
        """Count the reads of a collection from now on (every holder of ``self.all`` sees it)."""
        if name == "seats":
            reads = Reads(self.all.seats)
            self.all.seats = cast(AsyncCollection[Document], reads)
        else:
            aggregates: AggregateStore[Any] = getattr(self.all, name)
            reads = Reads(aggregates.current)
            aggregates.current = cast(AsyncCollection[Document], reads)
        return reads

    def read(self) -> int:
        """Documents read from seats, registrations and events so far."""
        return sum(
            r.documents for r in (self.seat_reads, self.registration_reads, self.event_reads)
        )

    def book(self, event: Event) -> MongoSeatBook:
        return MongoSeatBook(event.id, self.all)
