"""What changes rarely, kept for a short while: a region, its networks and municipalities, who
may register for an event and its pre-work; an event itself for a moment.

Every event page and every registration needs them, and they change a few times a year; asking
the services each time cost more CPU than the page itself (``make bench-web``). A change shows
within the key's lifetime. Concurrent misses of one key share one load: fifty readers of a page
that just expired ask the service once. A reader who comes at most ``GRACE`` seconds (or the
key's lifetime, if shorter) after it expired gets the kept answer at once while that one load
runs, so under steady reading nobody waits for the service and nothing is older than its
lifetime by more than one load (``make bench-web``: every two seconds the event page's readers
all waited for the event). Nothing personal is ever kept here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")
SECONDS = 30.0
LARGEST = 1000  # keys (regions, networks, events): far more than are read at once
GRACE = 2.0


class Recent:
    def __init__(self, seconds: float = SECONDS) -> None:
        self.seconds = seconds
        self._kept: dict[str, tuple[float, float, Any]] = {}
        """key: (expires, may be given while reloading until, answer)."""
        self._loading: dict[str, asyncio.Future[Any]] = {}

    async def get(
        self, key: str, load: Callable[[], Awaitable[T]], *, seconds: float | None = None
    ) -> T:
        found = self._kept.get(key)
        now = time.monotonic()
        if found is not None and found[0] > now:
            value: T = found[2]
            return value
        loading = self._loading.get(key)
        if loading is None:
            loading = asyncio.ensure_future(self._load(key, load, seconds))
            self._loading[key] = loading
            loading.add_done_callback(self._loaded(key))
        if found is not None and found[1] > now:
            stale: T = found[2]
            return stale
        # One reader giving up (a client gone) must not cancel the others' load.
        shared: T = await asyncio.shield(loading)
        return shared

    def _loaded(self, key: str) -> Callable[[asyncio.Future[Any]], None]:
        def done(future: asyncio.Future[Any]) -> None:
            self._loading.pop(key, None)
            if not future.cancelled():
                # A load nobody awaited (readers were given the kept answer) failed: the next
                # reader past the grace asks again, and sees the failure if it lasts.
                future.exception()

        return done

    async def _load(self, key: str, load: Callable[[], Awaitable[T]], seconds: float | None) -> T:
        loaded = await load()
        if len(self._kept) >= LARGEST:
            self._kept.clear()
        lifetime = self.seconds if seconds is None else seconds
        expires = time.monotonic() + lifetime
        self._kept[key] = (expires, expires + min(lifetime, GRACE), loaded)
        return loaded

    def forget(self, key: str) -> None:
        self._kept.pop(key, None)
