"""The coordinator: builds the parts of e-mail delivery and runs them (see the package's
docstring for the design)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection

from samling_kernel.ids import new_id
from samling_runtime.service import Runtime

from samling_notifications.adapters.delivery.intake import Intake
from samling_notifications.adapters.delivery.ledger import Ledger
from samling_notifications.adapters.delivery.recorder import Recorder
from samling_notifications.adapters.delivery.recovery import Recovery
from samling_notifications.adapters.delivery.senders import Senders
from samling_notifications.adapters.email.builder import MessageBuilder
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.adapters.worker import Worker
from samling_notifications.domain.notices import Draft
from samling_notifications.settings import NotificationsSettings


class DeliveryWorker(Worker):
    def __init__(self, runtime: Runtime, stores: Stores, settings: NotificationsSettings) -> None:
        super().__init__(runtime, stores, settings)
        self.instance = new_id("dw")
        clock = runtime.clock
        self.ledger = Ledger(stores)
        self.builder = MessageBuilder(stores, self.settings, clock)
        self.links = self.builder.links
        self.recorder = Recorder(stores, self.settings, clock, self.ledger)
        self.intake = Intake(stores, clock, self.ledger, self.instance)
        self.senders = Senders(stores, self.settings, self.ledger, self.recorder, self.builder)
        self.recovery = Recovery(stores, self.settings, clock, self.ledger, self.instance)
        self._next_sweep = 0.0

    @property
    def sent(self) -> int:
        return self.recorder.sent

    async def queue(self, draft: Draft) -> int:
        """Write the notices of ``draft`` and hand the new e-mails to the senders (called by
        the fact handlers and the scheduler)."""
        return await self.intake.queue(draft)

    def facts_arrived(
        self, *, recipients: Collection[str] = (), events: Collection[str] = ()
    ) -> int:
        """Addresses or event details just stored: this process's notices waiting for them
        go out now instead of after their backoff (which grows to minutes)."""
        now = self.runtime.clock.now()
        moved = self.ledger.hasten(now, recipients, events)
        if moved:
            self.ledger.requeue_due(now)  # a hand-off: not at the next poll
        return moved

    async def start(self) -> None:
        """Announce this process (before any chunk names it as owner)."""
        await self.recovery.beat()

    async def run(self) -> None:
        senders = [
            asyncio.create_task(self.senders.sender(), name=f"smtp-{i}")
            for i in range(max(1, self.settings.smtp_connections))
        ]
        background = [
            asyncio.create_task(self.recorder.run(), name="delivery-recorder"),
            asyncio.create_task(self.recovery.heartbeat(), name="delivery-heartbeat"),
            asyncio.create_task(
                self.rounds(self._round, self.settings.delivery_poll_seconds, "delivery"),
                name="delivery-retries",
            ),
        ]
        try:
            # Not gather(): cancelling a gather cancels its tasks at once, and the senders
            # must be cancelled exactly once (below) for their mails in flight to finish.
            done, _ = await asyncio.wait([*senders, *background], return_when="FIRST_EXCEPTION")
            for task in done:
                task.result()
        finally:
            # A graceful stop: no new mails; those in flight finish and are recorded.
            self.intake.stopping = True
            for task in senders:
                task.cancel()
            await asyncio.gather(*senders, return_exceptions=True)
            await self.recorder.finish()
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self.stores.delivery_workers.delete_one({"_id": self.instance})

    async def _round(self) -> int:
        """Retries that are due go back on the queue; the sweep runs when its time has come."""
        due = self.ledger.requeue_due(self.runtime.clock.now())
        loop = asyncio.get_running_loop()
        if loop.time() >= self._next_sweep:
            self._next_sweep = loop.time() + self.settings.delivery_sweep_seconds
            await self.sweep()
        return due

    async def sweep(self) -> int:
        """Take over the open chunks of processes that stopped beating; queue what is left."""
        return await self.recovery.sweep()
