"""What changes rarely, kept for a short while: a region, its networks and municipalities, who
may register for an event and its pre-work; an event itself for a moment.

Every event page and every registration needs them, and they change a few times a year; asking
the services each time cost more CPU than the page itself (``make bench-web``). A change shows
within the key's lifetime. Concurrent misses of one key share one load: fifty readers of a page
that just expired ask the service once. Nothing personal is ever kept here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")
SECONDS = 30.0
LARGEST = 1000  # keys (regions, networks, events): far more than are read at once


class Recent:
    def __init__(self, seconds: float = SECONDS) -> None:
        self.seconds = seconds
        self._kept: dict[str, tuple[float, Any]] = {}
        self._loading: dict[str, asyncio.Future[Any]] = {}

    async def get(
        self, key: str, load: Callable[[], Awaitable[T]], *, seconds: float | None = None
    ) -> T:
        found = self._kept.get(key)
        if found is not None and found[0] > time.monotonic():
            value: T = found[1]
            return value
        loading = self._loading.get(key)
        if loading is None:
            loading = asyncio.ensure_future(self._load(key, load, seconds))
            self._loading[key] = loading
            loading.add_done_callback(lambda _: self._loading.pop(key, None))
        # One reader giving up (a client gone) must not cancel the others' load.
        shared: T = await asyncio.shield(loading)
        return shared

    async def _load(self, key: str, load: Callable[[], Awaitable[T]], seconds: float | None) -> T:
        loaded = await load()
        if len(self._kept) >= LARGEST:
            self._kept.clear()
        lifetime = self.seconds if seconds is None else seconds
        self._kept[key] = (time.monotonic() + lifetime, loaded)
        return loaded

    def forget(self, key: str) -> None:
        self._kept.pop(key, None)
