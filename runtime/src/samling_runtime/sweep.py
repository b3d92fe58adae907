"""The periodic deletion of what the services keep only for a while (see docs/privacy.md).

FerretDB has no TTL indexes, so every service runs one :class:`RetentionSweep` (started by
``create_app``): it deletes idempotency keys with their stored answers and consumed-event
markers by the hour they were written in (``samling_runtime.time_buckets``: each round reads
only the hours that came due since the last), then runs the extra steps a service adds with :meth:`add`
(the network service scrubs contact persons from superseded revisions). Every step is a keyed
delete or update, so replicas sweeping at once do no harm.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from samling_runtime.clock import Clock
from samling_runtime.idempotency import IdempotencyKeys
from samling_runtime.processed import ProcessedEvents

log = logging.getLogger(__name__)

Step = Callable[[datetime], Awaitable[None]]
"""A service's own retention step; it gets the sweep's notion of now."""


class RetentionSweep:
    def __init__(
        self,
        clock: Clock,
        *,
        idempotency: IdempotencyKeys,
        processed: ProcessedEvents,
        processed_retention: timedelta,
        interval: float,
    ) -> None:
        self._clock = clock
        self._idempotency = idempotency
        self._processed = processed
        self._processed_retention = processed_retention
        self._interval = interval
        self._steps: list[tuple[str, Step]] = []

    async def prepare(self) -> None:
        """Indexes and back-fills of what the sweep reads by the hour: at start, before the
        service's own work (``create_app`` calls it before the service's ``setup``)."""
        await self._idempotency.prepare()
        await self._processed.prepare()

    def add(self, name: str, step: Step) -> None:
        self._steps.append((name, step))

    async def run_once(self) -> None:
        now = self._clock.now()
        await self._idempotency.forget_before(now - self._idempotency.retention)
        await self._processed.forget_before(now - self._processed_retention)
        for name, step in self._steps:
            try:
                await step(now)
            except Exception as exc:  # one failing step must not keep the others from running
                log.warning("retention step %s failed, trying again later: %s", name, exc)

    async def run(self) -> None:
        await repeat(self.run_once, self._interval, "retention sweep")


async def repeat(work: Callable[[], Awaitable[None]], interval: float, name: str) -> None:
    """Run ``work`` every ``interval`` seconds until cancelled; a failed round is logged and
    the next one tries again (periodic work must outlive a store that is briefly away)."""
    while True:
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("%s failed, trying again later: %s", name, exc)
        await asyncio.sleep(interval)
