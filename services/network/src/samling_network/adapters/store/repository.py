"""What every repository of the network service shares: one aggregate's store behind named
methods, so routes never build a filter or reach into a collection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from samling_kernel.decisions import Change
from samling_runtime.mongo import Document, hoisted
from samling_runtime.pagination import Page, after_cursor, encode_cursor
from samling_runtime.store import AggregateStore, Versioned

S = TypeVar("S", bound=BaseModel)


class Repository(Generic[S]):
    def __init__(self, store: AggregateStore[S]) -> None:
        self.store = store

    async def get(self, aggregate_id: str) -> S | None:
        """The latest state, or None when there is no such aggregate."""
        found = await self.store.get(aggregate_id)
        return found.state if found else None

    async def create(self, aggregate_id: str, change: Change[S]) -> S:
        """Raises ``AlreadyExists`` when the id is taken (the unique revision id decides)."""
        return (await self.store.create(aggregate_id, change)).state

    async def update(self, aggregate_id: str, decide: Callable[[S], Change[S] | None]) -> S:
        """``decide`` applied to the latest state, retried on a concurrent write."""
        return (await self.store.update(aggregate_id, decide)).state

    async def history(self, aggregate_id: str) -> list[Versioned[S]]:
        """Every revision, oldest first."""
        return await self.store.history(aggregate_id)

    async def _page(
        self,
        query: Document,
        *,
        sort: str,
        cursor: str | None,
        limit: int,
        descending: bool = False,
    ) -> Page[S]:
        """One page of the materialised collection in (sort, _id) order."""
        after = after_cursor(sort, cursor, descending=descending)
        combined = hoisted({"$and": [query, after]} if after else query)
        direction = -1 if descending else 1
        docs = [
            doc
            async for doc in self.store.current.find(
                combined, sort=[(sort, direction), ("_id", direction)], limit=limit + 1
            )
        ]
        more = len(docs) > limit
        docs = docs[:limit]
        items: list[Any] = [self.store.from_current(doc) for doc in docs]
        next_cursor = encode_cursor(docs[-1][sort], docs[-1]["_id"]) if more else None
        return Page[Any](items=items, next_cursor=next_cursor)
