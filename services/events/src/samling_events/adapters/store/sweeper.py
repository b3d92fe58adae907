"""Work that comes due with time: offers expire, contingents are released, seats are repaired.

Runs every ``sweep_interval_seconds`` on the injected clock's notion of now; tests call
:meth:`Sweeper.run_once` after moving a ``ManualClock``. Every step is safe to run on several
replicas at once: each change is an aggregate revision or a keyed delete.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from samling_runtime.clock import Clock
from samling_runtime.sweep import repeat

from samling_events.adapters.store.retention import Anonymisation
from samling_events.adapters.store.seat_repair import SeatRepair
from samling_events.adapters.store.stores import Stores
from samling_events.adapters.store.waiting_lists import events_to_fill
from samling_events.desk import Desks
from samling_events.domain.conference import announce_due
from samling_events.domain.registrations import RegistrationStatus
from samling_events.use_cases import registration_changes

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(
        self,
        stores: Stores,
        desks: Desks,
        clock: Clock,
        interval: float,
        anonymise_after: timedelta = timedelta(days=90),
    ) -> None:
        self._stores = stores
        self._desks = desks
        self._clock = clock
        self._interval = interval
        self._seat_repair = SeatRepair(stores, desks)
        self._anonymisation = Anonymisation(stores, anonymise_after)

    async def run(self) -> None:
        await repeat(self.run_once, self._interval, "sweep")

    async def run_once(self) -> None:
        await self.expire_offers()
        await self.repair_seats()
        await self.fill_free_seats()
        await self.announce_due_assignments()
        await self._anonymisation.run(self._clock.now())

    async def announce_due_assignments(self) -> None:
        now = self._clock.now()
        cursor = self._stores.assignments.current.find(
            {"due_announced": False, "due_at": {"$lte": now}}
        )
        async for doc in cursor:
            await self._stores.assignments.update(doc["_id"], lambda a: announce_due(a, now))

    async def expire_offers(self) -> None:
        now = self._clock.now()
        cursor = self._stores.registrations.current.find(
            {"status": RegistrationStatus.OFFERED.value, "offer_expires_at": {"$lte": now}}
        )
        async for doc in cursor:
            reg = self._stores.registrations.from_current(doc)
            await registration_changes.expire_offer(
                self._stores.registrations, self._desks, reg, now
            )

    async def repair_seats(self) -> None:
        """A seat whose registration never got written (a crash mid-batch) or no longer holds
        it (a crash after cancelling) is freed after a grace period (``seat_repair``)."""
        await self._seat_repair.run(self._clock.now())

    async def fill_free_seats(self) -> None:
        """Released contingents and seats freed elsewhere go to the waiting lists of the
        events that have not ended (``waiting_lists``); the desk promotes, each seat once."""
        for event in await events_to_fill(self._stores, self._clock.now()):
            await self._desks.promote(event.id)
