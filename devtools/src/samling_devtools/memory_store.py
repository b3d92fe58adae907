"""An in-memory store for the fast test tier: no server, same unique-``_id`` semantics.

`mongomock` (a well-kept fake of PyMongo's synchronous API) holds the documents and answers
the queries; this module gives it the surface of PyMongo's *async* API that
``samling_runtime.store.AggregateStore`` and the services' adapters use. A duplicate ``_id``
raises PyMongo's own ``DuplicateKeyError`` (``insert_one``) or ``BulkWriteError`` with code
11000 per refused document (``insert_many(ordered=False)``), as MongoDB and FerretDB do, so
the store rule (a unique insert decides every race) holds here too.

Every call yields to the event loop once, like a round trip, so tasks started with
``asyncio.gather`` interleave between reads and writes as they do against a real server.
(``mongomock-motor`` would need Motor, which the project does not use.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

import mongomock
from pydantic import BaseModel
from pymongo import IndexModel, ReplaceOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from samling_runtime.mongo import Document
from samling_runtime.store import AggregateStore

S = TypeVar("S", bound=BaseModel)


class MemoryCursor:
    def __init__(self, documents: Callable[[], list[Document]]) -> None:
        self._documents = documents

    async def to_list(self, length: int | None = None) -> list[Document]:
        await asyncio.sleep(0)
        found = self._documents()
        return found if length is None else found[:length]

    async def __aiter__(self) -> AsyncIterator[Document]:
        for doc in await self.to_list():
            yield doc


class MemoryCollection:
    """The async collection methods the services call, over one mongomock collection."""

    def __init__(self, collection: mongomock.Collection[Document]) -> None:
        self._collection = collection
        self.name: str = collection.name

    def find(self, *args: Any, **kwargs: Any) -> MemoryCursor:
        return MemoryCursor(lambda: list(self._collection.find(*args, **kwargs)))

    async def find_one(self, *args: Any, **kwargs: Any) -> Document | None:
        await asyncio.sleep(0)
        found: Document | None = self._collection.find_one(*args, **kwargs)
        return found

    async def count_documents(self, query: Document, **kwargs: Any) -> int:
        await asyncio.sleep(0)
        return int(self._collection.count_documents(query, **kwargs))

    async def distinct(self, key: str, query: Document | None = None) -> list[Any]:
        await asyncio.sleep(0)
        return list(self._collection.distinct(key, query))

    async def insert_one(self, doc: Document) -> Any:
        await asyncio.sleep(0)
        return self._collection.insert_one(doc)

    async def insert_many(self, docs: Iterable[Document], ordered: bool = True) -> Any:
        await asyncio.sleep(0)
        return self._collection.insert_many(list(docs), ordered=ordered)

    async def replace_one(self, query: Document, doc: Document, upsert: bool = False) -> Any:
        await asyncio.sleep(0)
        return self._collection.replace_one(query, doc, upsert=upsert)

    async def update_one(self, query: Document, update: Document, upsert: bool = False) -> Any:
        await asyncio.sleep(0)
        return self._collection.update_one(query, update, upsert=upsert)

    async def update_many(self, query: Document, update: Document) -> Any:
        await asyncio.sleep(0)
        return self._collection.update_many(query, update)

    async def bulk_write(
        self, requests: Sequence[ReplaceOne[Document] | UpdateOne], ordered: bool = True
    ) -> None:
        """One write after the other (mongomock's own ``bulk_write`` does not take the
        arguments newer PyMongo passes its operations)."""
        for request in requests:
            # PyMongo keeps an operation's parts in these attributes; they are all it takes.
            parts = cast(Any, request)
            query, body, upsert = parts._filter, parts._doc, bool(parts._upsert)
            if isinstance(request, ReplaceOne):
                await self.replace_one(query, body, upsert=upsert)
            else:
                await self.update_one(query, body, upsert=upsert)

    async def delete_one(self, query: Document) -> Any:
        await asyncio.sleep(0)
        return self._collection.delete_one(query)

    async def delete_many(self, query: Document) -> Any:
        await asyncio.sleep(0)
        return self._collection.delete_many(query)

    def documents(self) -> dict[Any, Document]:
        """Every document by ``_id``, for a test's assertions (no round trip to stand for)."""
        return {doc["_id"]: doc for doc in self._collection.find()}

    async def create_indexes(self, indexes: list[IndexModel]) -> list[str]:
        """Secondary indexes only speed a real server up; unique ``_id`` is always there."""
        return [str(index.document["name"]) for index in indexes]


class MemoryDatabase:
    def __init__(self, name: str = "samling_memory") -> None:
        client: mongomock.MongoClient[Document] = mongomock.MongoClient(tz_aware=True)
        self._db = client[name]
        self._collections: dict[str, MemoryCollection] = {}

    def __getitem__(self, name: str) -> MemoryCollection:
        if name not in self._collections:
            self._collections[name] = MemoryCollection(self._db[name])
        return self._collections[name]


def memory_database() -> AsyncDatabase[Document]:
    """A fresh, empty database, typed as the code under test expects it."""
    return cast(AsyncDatabase[Document], MemoryDatabase())


def memory_aggregates(
    db: AsyncDatabase[Document], name: str, model: type[S], now: Callable[[], datetime]
) -> AggregateStore[S]:
    """An aggregate store over the in-memory database, on the test's clock."""
    return AggregateStore(db, name, model, source="/samling/memory", now=now)


_QUERIES = (
    "find",
    "find_one",
    "count_documents",
    "distinct",
    "update_one",
    "update_many",
    "replace_one",
    "delete_one",
    "delete_many",
)


def recording(db: AsyncDatabase[Document], name: str) -> list[tuple[str, Any]]:
    """From now on, every query to the memory database's collection ``name`` as (method,
    filter), in order: what a test counts a piece of code's reads and deletes by."""
    collection = cast(MemoryDatabase, db)[name]
    calls: list[tuple[str, Any]] = []
    for method in _QUERIES:
        inner = getattr(collection, method)

        def recorded(*args: Any, _inner: Any = inner, _method: str = method, **kwargs: Any) -> Any:
            query = args[1] if _method == "distinct" and len(args) > 1 else None
            calls.append((_method, query or (args[0] if args else kwargs.get("filter"))))
            return _inner(*args, **kwargs)

        setattr(collection, method, recorded)
    return calls
