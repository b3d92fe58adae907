"""What changes rarely, kept for a short while: a region, its networks and municipalities.

Every event page and every registration needs them, and they change a few times a year; asking
the network service each time cost more CPU than the page itself (``make bench-web``). A
change shows within :data:`SECONDS`. Nothing personal is ever kept here.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")
SECONDS = 30.0
LARGEST = 1000  # keys (regions, networks): far more than a deployment has


class Recent:
    def __init__(self, seconds: float = SECONDS) -> None:
        self.seconds = seconds
        self._kept: dict[str, tuple[float, Any]] = {}

    async def get(self, key: str, load: Callable[[], Awaitable[T]]) -> T:
        now = time.monotonic()
        found = self._kept.get(key)
        if found is not None and found[0] > now:
            value: T = found[1]
            return value
        loaded = await load()
        if len(self._kept) >= LARGEST:
            self._kept.clear()
        self._kept[key] = (now + self.seconds, loaded)
        return loaded
