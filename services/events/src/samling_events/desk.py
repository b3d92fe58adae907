"""The registration desk: one writer per event per process, correct across processes.

Registrations for one event queue at that event's desk (an asyncio task). The desk takes
everything waiting, in arrival order, and handles it as one batch: it picks free seat numbers,
inserts one seat document per seat with ``insert_many(ordered=False)`` and then creates the
registrations with ``create_many``. Correctness does not rest on the desk: a seat document's
``_id`` is ``<event id>:<seat no>`` with ``1 <= seat no <= capacity``, so two writers (two
replicas, or a desk and a stale cache) can never both hold a seat — the second insert is a
duplicate-key error, and the desk re-reads the taken seats and tries the next number. The desk
gives the order (a per-event arrival sequence) and the speed (a few round trips per batch
instead of several per person).

This module is the queue, the batching and the cache; what a batch does is the use cases'
(``use_cases/admission.py``, ``use_cases/promotion.py``), who gets which seat the domain's
(``domain/seating.py``), and the seat documents' I/O :mod:`samling_events.adapters.store.seat_book`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from samling_contracts.facts import Fact
from samling_kernel.decisions import Refusal, Refused
from samling_runtime.clock import Clock
from samling_runtime.telemetry import current_trace, forget_trace

from samling_events.adapters.store.seat_book import DeskStores, MongoSeatBook
from samling_events.adapters.store.seat_counts import SeatCounts
from samling_events.domain.events import Event
from samling_events.domain.registrations import Registration
from samling_events.domain.seating import has_free_seat
from samling_events.use_cases.admission import AlreadyRegistered, admit_arrivals
from samling_events.use_cases.promotion import promote_waiting

__all__ = ["AlreadyRegistered", "Arrival", "Desk", "Desks"]
"""``AlreadyRegistered`` is the admission use case's; the routes take it from here."""

log = logging.getLogger(__name__)
MAX_BATCH = 500
EVENT_CACHE_SECONDS = 2.0
SYNC_SECONDS = 30.0
"""How often a busy desk re-reads the seats and the waiting list (queries FerretDB v1 answers by
a full scan) to catch what other replicas did; releases, promotions and clashes re-read at once."""


@dataclass
class Arrival:
    """A person at the desk: their registration (status still to decide) and contact facts."""

    registration: Registration
    contact: dict[str, Any]
    contact_fact: Fact
    future: asyncio.Future[Registration] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    trace: dict[str, str] = field(default_factory=current_trace)
    """The trace of the request that brought them: their facts are published in it."""
    position: int | None = None
    """Their place on the waiting list when the desk wait-listed them (for the answer)."""


@dataclass
class Release:
    """Seats of these registrations are free again (cancelled, declined, offer expired)."""

    registration_ids: list[str]
    future: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


@dataclass
class Promote:
    """Give free seats to the waiting list (capacity raised, contingent released...)."""

    future: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


Job = Arrival | Release | Promote


def _count_arrivals(jobs: list[Job]) -> int:
    return sum(1 for j in jobs if isinstance(j, Arrival))


class Desk:
    def __init__(
        self,
        event_id: str,
        stores: DeskStores,
        clock: Clock,
        first_seq: int,
        counts: SeatCounts | None = None,
    ) -> None:
        self.event_id = event_id
        self._stores = stores
        self._counts = counts
        """The lists' seat counts: told after each batch what this desk knows."""
        self._book = MongoSeatBook(event_id, stores)
        self._clock = clock
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        self._seq = itertools.count(first_seq)
        self.task: asyncio.Task[None] | None = None
        self.event: Event | None = None
        """The event as of the last batch (for the request handlers' quick checks)."""
        self.event_loaded = 0.0
        self._synced = 0.0
        self._taken_seats: dict[int, str] = {}
        self._waiting_count = 0
        self._may_promote = True
        """Seats may have freed, or the rules changed, since the waiting list was last served."""

    def next_arrival(self) -> tuple[datetime, int]:
        """Stamped when a person reaches the desk's queue: that is their place in line."""
        return self._clock.now(), next(self._seq)

    def submit(self, job: Job) -> None:
        self._queue.put_nowait(job)

    async def run(self) -> None:
        forget_trace()  # the desk serves many requests, not the one that opened it
        while True:
            jobs = [await self._queue.get()]
            while len(jobs) < MAX_BATCH and not self._queue.empty():
                jobs.append(self._queue.get_nowait())
            try:
                await self._handle(jobs)
            except Exception as exc:  # the store is down, say: tell everyone waiting
                log.exception("registration desk %s failed a batch", self.event_id)
                self._synced = 0.0  # what the desk believes may be wrong now: read it again
                if self._counts is not None:
                    self._counts.forget(self.event_id)
                for job in jobs:
                    if not job.future.done():
                        job.future.set_exception(exc)

    # -- one batch --------------------------------------------------------------------------
    async def _handle(self, jobs: list[Job]) -> None:
        releases = [j for j in jobs if isinstance(j, Release)]
        for release in releases:
            await self._book.release(release.registration_ids)
        # Under a rush the desk trusts what it knows: its own seats and waiting list, and the
        # event re-read by _id every few seconds. A stale view can only make it try a seat
        # another replica took (the unique index refuses it and the desk re-reads) or wait-list
        # someone a moment early (the next promotion fixes that). Releases, promotions and
        # clashes always look afresh.
        # The batch keeps the event it read: Desks.forget (an event changed) may clear
        # self.event while this batch awaits the store.
        now = time.monotonic()
        event = self.event
        if event is None or len(jobs) > _count_arrivals(jobs) or now - self._synced > SYNC_SECONDS:
            event = await self._sync()
        elif now - self.event_loaded > EVENT_CACHE_SECONDS:
            event = await self._reload_event()
        taken = self._taken_seats
        if self._may_promote and has_free_seat(event, taken) and self._waiting_count:
            await promote_waiting(
                self._book, self._stores.registrations, event, taken, self._clock.now()
            )
            self._waiting_count = await self._book.waiting_count()
        self._may_promote = False
        arrivals = [j for j in jobs if isinstance(j, Arrival)]
        if arrivals:
            await self._admit(event, arrivals)
        self._tell_counts()
        for job in jobs:
            if not isinstance(job, Arrival) and not job.future.done():
                job.future.set_result(None)

    async def _reload_event(self) -> Event:
        found = await self._stores.events.get(self.event_id)
        if found is None:
            raise Refused("This event does not exist.", kind=Refusal.NOT_FOUND)
        if self.event is not None and found.state != self.event:
            self._may_promote = True  # capacity, contingents or status changed
        self.event, self.event_loaded = found.state, time.monotonic()
        return found.state

    async def _sync(self) -> Event:
        event = await self._reload_event()
        self._taken_seats = await self._book.taken()
        self._waiting_count = await self._book.waiting_count()
        self._synced = time.monotonic()
        self._may_promote = True
        return event

    def _tell_counts(self) -> None:
        """The seats as this desk knows them: read at its last sync, with its own changes
        since (another replica's are as old as that sync)."""
        if self._counts is not None:
            age = time.monotonic() - self._synced
            self._counts.record(self.event_id, len(self._taken_seats), age=age)

    async def _admit(self, event: Event, arrivals: list[Arrival]) -> None:
        """Seat or wait-list everyone in the batch and answer each of them."""
        try:
            admission = await admit_arrivals(
                self._book,
                self._stores.registrations,
                event,
                self._taken_seats,
                arrivals,
                self._waiting_count,
                self._clock.now(),
            )
        except Refused as refused:  # not open for registration: nobody in the batch is
            for arrival in arrivals:
                arrival.future.set_exception(Refused(refused.detail, kind=refused.kind))
            return
        self._waiting_count = admission.waiting
        self._tell_counts()  # before anyone is answered: their next list shows their seat
        if admission.freed_seats:
            self.submit(Promote())  # seats briefly held by duplicates go to the waiting list
        for arrival, outcome, position in zip(
            arrivals, admission.outcomes, admission.positions, strict=True
        ):
            arrival.position = position
            if isinstance(outcome, AlreadyRegistered):
                arrival.future.set_exception(outcome)
            else:
                arrival.future.set_result(outcome)


class Desks:
    """The desks of this process, one per event, started on first use."""

    def __init__(
        self, stores: DeskStores, clock: Clock, start: Callable[[Desk], asyncio.Task[None]]
    ) -> None:
        self._stores = stores
        self._clock = clock
        self._start = start
        self._desks: dict[str, Desk] = {}
        self._seen: dict[str, tuple[float, Event]] = {}
        self._loading: dict[str, asyncio.Future[Event | None]] = {}
        self._lock = asyncio.Lock()
        self.seat_counts = SeatCounts(lambda event_id: MongoSeatBook(event_id, stores).count())
        """Seats taken per event for the lists, which this process's desks keep current."""

    async def desk(self, event_id: str) -> Desk:
        desk = self._desks.get(event_id)
        if desk is not None:
            return desk
        async with self._lock:
            desk = self._desks.get(event_id)
            if desk is None:
                last = await self._stores.registrations.current.find_one(
                    {"event_id": event_id}, sort=[("arrival_seq", -1)]
                )
                first_seq = (last or {}).get("arrival_seq", 0) + 1
                desk = Desk(event_id, self._stores, self._clock, first_seq, self.seat_counts)
                desk.task = self._start(desk)
                self._desks[event_id] = desk
            return desk

    async def recent_event(self, event_id: str) -> Event | None:
        """The event as the desk saw it within the last seconds, else from the store.

        Good for the quick checks before queueing; the desk decides on a fresh copy."""
        now = time.monotonic()
        desk = self._desks.get(event_id)
        if desk and desk.event and now - desk.event_loaded < EVENT_CACHE_SECONDS:
            return desk.event
        seen = self._seen.get(event_id)
        if seen and now - seen[0] < EVENT_CACHE_SECONDS:
            return seen[1]
        # One lookup however many requests arrive while it runs (a rush arrives all at once).
        loading = self._loading.get(event_id)
        if loading is None:
            loading = asyncio.ensure_future(self._look_up(event_id))
            self._loading[event_id] = loading
            loading.add_done_callback(lambda _: self._loading.pop(event_id, None))
        return await asyncio.shield(loading)

    async def _look_up(self, event_id: str) -> Event | None:
        found = await self._stores.events.get(event_id)
        if found is None:
            return None
        self._seen[event_id] = (time.monotonic(), found.state)
        return found.state

    def forget(self, event_id: str) -> None:
        self._seen.pop(event_id, None)
        desk = self._desks.get(event_id)
        if desk is not None:
            desk.event = None

    async def register(self, desk: Desk, arrival: Arrival) -> Registration:
        desk.submit(arrival)
        return await arrival.future

    async def release(self, event_id: str, registration_ids: list[str]) -> None:
        job = Release(registration_ids)
        (await self.desk(event_id)).submit(job)
        await job.future

    async def promote(self, event_id: str) -> None:
        job = Promote()
        (await self.desk(event_id)).submit(job)
        await job.future

    async def stop(self) -> None:
        await self.seat_counts.stop()
        for desk in self._desks.values():
            if desk.task is not None:
                desk.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await desk.task
