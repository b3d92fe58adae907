"""Many small inserts from concurrent requests, written as one ``insert_many``.

FerretDB v1 on SQLite has one writer: a hundred concurrent ``insert_one`` calls queue for its
lock (and fail with "database is locked" when the wait gets long), while one ``insert_many`` of
a hundred documents costs about as much as a single insert. An :class:`InsertBatcher` collects
the documents that arrive while its previous batch is being written and writes them together,
so a rush of requests costs the store one round trip per batch. Each caller still learns about
its own document: a duplicate ``_id`` raises :class:`DuplicateKeyError` for that caller only,
which keeps unique inserts usable as claims. MongoDB is just as correct with it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from samling_runtime.mongo import DUPLICATE_KEY, Document


@dataclass
class _Pending:
    doc: Document
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class InsertBatcher:
    def __init__(self, collection: AsyncCollection[Document], *, max_batch: int = 500) -> None:
        self.collection = collection
        self._max_batch = max_batch
        self._waiting: list[_Pending] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0
        """How many ``insert_many`` calls were made (for tests and metrics)."""

    async def insert(self, doc: Document) -> None:
        """Insert ``doc``; raises DuplicateKeyError if its ``_id`` (or a unique key) exists."""
        pending = _Pending(doc)
        self._waiting.append(pending)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await pending.done

    async def _write(self) -> None:
        while self._waiting:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: len(batch)]
            await self._write_batch(batch)

    async def _write_batch(self, batch: list[_Pending]) -> None:
        self.batches += 1
        errors: dict[int, BaseException] = {}
        try:
            await self.collection.insert_many([p.doc for p in batch], ordered=False)
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", []):
                errors[error["index"]] = (
                    DuplicateKeyError(error.get("errmsg", "duplicate key"), DUPLICATE_KEY)
                    if error["code"] == DUPLICATE_KEY
                    else exc
                )
        except Exception as exc:  # the store is down: everyone in the batch hears it
            errors = dict.fromkeys(range(len(batch)), exc)
        for index, pending in enumerate(batch):
            if pending.done.done():
                continue  # its caller went away (cancelled)
            if index in errors:
                pending.done.set_exception(errors[index])
            else:
                pending.done.set_result(None)
