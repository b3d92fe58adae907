"""What the background workers share: their handles, and the loop of rounds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from samling_runtime.service import Runtime

from samling_notifications.adapters.store.stores import Stores
from samling_notifications.settings import NotificationsSettings

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, runtime: Runtime, stores: Stores, settings: NotificationsSettings) -> None:
        self.runtime = runtime
        self.stores = stores
        self.settings = settings
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Start the next round now instead of at the next poll."""
        self._wake.set()

    async def rounds(self, once: Callable[[], Awaitable[int]], poll: float, name: str) -> None:
        """Run ``once`` until it finds nothing to do, then wait for a wake-up or the poll."""
        while True:
            try:
                if await once():
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s round failed; trying again shortly", name)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=poll)
