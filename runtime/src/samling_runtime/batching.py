"""Many small inserts from concurrent requests, written as one ``insert_many``.

FerretDB v1 on SQLite has one writer: a hundred concurrent ``insert_one`` calls queue for its
lock (and fail with "database is locked" when the wait gets long), while one ``insert_many`` of
a hundred documents costs about as much as a single insert. An :class:`InsertBatcher` collects
the documents that arrive while its previous batch is being written and writes them together,
so a rush of requests costs the store one round trip per batch. Each caller still learns about
its own document: a duplicate ``_id`` raises :class:`DuplicateKeyError` for that caller only,
which keeps unique inserts usable as claims. MongoDB is just as correct with it.
:class:`BulkWriter` does the same for replacements and updates (``bulk_write``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pymongo import ReplaceOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from samling_runtime.mongo import DUPLICATE_KEY, Document

T = TypeVar("T")


@dataclass
class _Pending(Generic[T]):
    item: T
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Batcher(Generic[T]):
    """Items that arrive while the previous batch is being written are written together by
    :meth:`_write_items`; each caller waits for (and hears the error of) its own item."""

    def __init__(self, collection: AsyncCollection[Document], *, max_batch: int = 500) -> None:
        self.collection = collection
        self._max_batch = max_batch
        self._waiting: list[_Pending[T]] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0
        """How many batches were written (for tests and metrics)."""

    async def _add(self, item: T) -> None:
        pending = _Pending(item)
        self._waiting.append(pending)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await pending.done

    async def _write(self) -> None:
        while self._waiting:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: len(batch)]
            await self._write_batch(batch)

    async def _write_items(self, items: list[T]) -> None:
        raise NotImplementedError

    def _error(self, error: Document, exc: BulkWriteError) -> BaseException:
        if error["code"] == DUPLICATE_KEY:
            return DuplicateKeyError(error.get("errmsg", "duplicate key"), DUPLICATE_KEY)
        return exc

    async def _write_batch(self, batch: list[_Pending[T]]) -> None:
        self.batches += 1
        errors: dict[int, BaseException] = {}
        try:
            await self._write_items([p.item for p in batch])
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", []):
                errors[error["index"]] = self._error(error, exc)
        except Exception as exc:  # the store is down: everyone in the batch hears it
            errors = dict.fromkeys(range(len(batch)), exc)
        for index, pending in enumerate(batch):
            if pending.done.done():
                continue  # its caller went away (cancelled)
            if index in errors:
                pending.done.set_exception(errors[index])
            else:
                pending.done.set_result(None)


class InsertBatcher(Batcher[Document]):
    async def insert(self, doc: Document) -> None:
        """Insert ``doc``; raises DuplicateKeyError if its ``_id`` (or a unique key) exists."""
        await self._add(doc)

    async def _write_items(self, items: list[Document]) -> None:
        await self.collection.insert_many(items, ordered=False)


BulkWrite = ReplaceOne[Document] | UpdateOne
"""A write of one document that a :class:`BulkWriter` can send in a ``bulk_write``."""


class BulkWriter(Batcher[BulkWrite]):
    """Replacements and updates of different documents from concurrent callers, sent in one
    ``bulk_write(ordered=False)`` per batch (FerretDB still applies each on its own: one round
    trip, not one atomic write). Two writes of one document in a batch may apply in either
    order, so callers keep their writes of one document apart in time. Only for writes that
    are not expected to fail: FerretDB v1 answers a batch with a failed write without the
    ``nModified`` count, and PyMongo then fails the whole batch (every caller hears it)."""

    async def write(self, write: BulkWrite) -> None:
        await self._add(write)

    async def _write_items(self, items: list[BulkWrite]) -> None:
        await self.collection.bulk_write(items, ordered=False)
