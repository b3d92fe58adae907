"""Look-ups of concurrent fact handlers, shared: the fact intake handles a Kafka batch's facts
concurrently (``samling_runtime.kafka.Batches``), and a hundred handlers that each read the
same event would otherwise cost a hundred round trips, each a few milliseconds of CPU in
PyMongo and FerretDB. (Their writes are coalesced by ``samling_runtime.batching``.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SharedLookups(Generic[K, V]):
    """Callers asking for a key while its look-up is under way share that look-up. Nothing
    is kept after it finished, so nobody gets anything older than what a look-up of their own,
    started when they asked, could have returned."""

    def __init__(self, lookup: Callable[[K], Awaitable[V]]) -> None:
        self._lookup = lookup
        self._running: dict[K, asyncio.Future[V]] = {}

    async def get(self, key: K) -> V:
        running = self._running.get(key)
        if running is None:
            running = asyncio.ensure_future(self._lookup(key))
            self._running[key] = running
            running.add_done_callback(lambda _: self._running.pop(key, None))
        # Shielded: one caller going away must not cancel the look-up the others wait for.
        return await asyncio.shield(running)
