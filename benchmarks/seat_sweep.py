"""One round of the events service's ``fill_free_seats`` on a store with many waiting lists of
events that have ended and a few of upcoming events, none of which can promote anyone (every
event is full): the PostgreSQL rows the round reads, its time and the CPU seconds of FerretDB
and PostgreSQL (#14). The waiting lists of ended events stay (neither an event's end nor its
anonymisation clears them), so a sweep led by ``status: waitlisted`` reads more every week.

Run: ``uv run --frozen python benchmarks/seat_sweep.py [--ended 300] [--upcoming 20]``.
It starts a store of its own (PostgreSQL + FerretDB on free ports) and stops it at the end.
Beside ``scale_year.py``: it drives the service's store adapter and desks in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from pymongo import AsyncMongoClient
from samling_devtools.benchmarking import ProcessTree, running_store
from samling_devtools.infra import Stack
from samling_devtools.store_rows import rows_read, settled_rows
from samling_events.adapters.store.stores import Stores, open_stores
from samling_events.adapters.store.sweeper import Sweeper
from samling_events.desk import Desk, Desks
from samling_events.domain.events import Event
from samling_events.domain.registrations import Registration
from samling_kernel.decisions import Change
from samling_runtime.clock import SystemClock
from samling_runtime.mongo import Document
from samling_runtime.service import Runtime
from samling_runtime.store import AggregateStore

DATABASE = "bench_seat_sweep"
SEATED, WAITING = 20, 100
"""Each event: full with this many seated, and this many on its waiting list."""
UPCOMING_WAITING = 10


def event(n: int, starts_at: datetime) -> Event:
    return Event.model_validate(
        {
            "id": f"evt_sweep_{n:05d}",
            "region_id": "rkk-bench",
            "kind": "network_meeting",
            "title": f"Samling {n}",
            "venue": "Sal 1",
            "capacity": SEATED,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=5),
            "timezone": "Europe/Oslo",
            "status": "published",
        }
    )


def registration(event_id: str, r: int, now: datetime, seated: bool) -> Registration:
    return Registration.model_validate(
        {
            "id": f"reg_{event_id[10:]}_{r:04d}",
            "event_id": event_id,
            "participant_id": f"par_sweep_{r:07d}",
            "municipality_id": "NO-1804",
            "role": "Lærer",
            "member": True,
            "status": "confirmed" if seated else "waitlisted",
            "seat_no": r + 1 if seated else None,
            "arrived_at": now,
            "arrival_seq": r + 1,
        }
    )


async def load(stores: Stores, ended: int, upcoming: int, now: datetime) -> None:
    events = [event(n, now - timedelta(days=400) + timedelta(days=n)) for n in range(ended)]
    events += [event(ended + n, now + timedelta(days=1 + 2 * n)) for n in range(upcoming)]
    await stores.events.create_many([(e.id, Change(e)) for e in events])
    for e in events:
        waiting = WAITING if e.ends_at < now else UPCOMING_WAITING
        regs = [registration(e.id, r, now, r < SEATED) for r in range(SEATED + waiting)]
        await stores.registrations.create_many([(r.id, Change(r)) for r in regs])
        seats = [
            {
                "_id": f"{e.id}:{r.seat_no:06d}",
                "event_id": e.id,
                "seat_no": r.seat_no,
                "registration_id": r.id,
                "taken_at": now,
            }
            for r in regs
            if r.seat_no is not None
        ]
        await stores.seats.insert_many(seats)


async def measured(
    stack: Stack, name: str, work: Callable[[], Awaitable[Any]]
) -> tuple[str, int, float, float]:
    before = await settled_rows(stack.postgres, DATABASE)
    trees = [ProcessTree(stack.postgres.pid), ProcessTree(stack.ferretdb.pid)]
    t0 = time.perf_counter()
    await work()
    took = time.perf_counter() - t0
    cpu = sum(tree.seconds() - tree.start for tree in trees)
    after = await settled_rows(stack.postgres, DATABASE)
    return name, (after - before).rows, took, cpu


def start(desk: Desk) -> asyncio.Task[None]:
    return asyncio.create_task(desk.run())


async def main(ended: int, upcoming: int) -> None:
    with running_store("samling-bench-seat-sweep-") as stack:
        client: AsyncMongoClient[Document] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
        try:
            db = client[DATABASE]

            def store(
                name: str, model: type[Any], *timelines: Any, **kw: Any
            ) -> AggregateStore[Any]:
                return AggregateStore(db, name, model, source="/bench", timelines=timelines, **kw)

            runtime = cast(Runtime, SimpleNamespace(mongo=SimpleNamespace(db=db), store=store))
            stores = await open_stores(runtime)
            now = datetime.now(UTC)
            print(f"loading {ended} ended and {upcoming} upcoming events ...", flush=True)
            await load(stores, ended, upcoming, now)
            stack.postgres.psql("VACUUM (ANALYZE)")
            rows_read(stack.postgres, DATABASE)  # the statistics exist before the first reading
            desks = Desks(stores, SystemClock(), start)
            sweeper = Sweeper(stores, desks, SystemClock(), interval=30)
            waiting = {"status": "waitlisted"}
            results = [
                await measured(stack, "first round (no desk open yet)", sweeper.fill_free_seats),
                await measured(stack, "next round", sweeper.fill_free_seats),
                await measured(  # what the sweep before this one led with, alone
                    stack,
                    "`distinct(event_id)` of the waitlisted alone",
                    lambda: stores.registrations.current.distinct("event_id", waiting),
                ),
            ]
            waitlisted = ended * WAITING + upcoming * UPCOMING_WAITING
            print(
                f"\n| fill_free_seats: {ended} ended + {upcoming} upcoming events, "
                f"{waitlisted:,} waitlisted, all full | rows read | time | CPU |"
            )
            print("|---|---|---|---|")
            for name, rows, took, cpu in results:
                print(f"| {name} | {rows:,} | {took * 1000:.0f} ms | {cpu:.2f} s |")
            await desks.stop()
        finally:
            await client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ended", type=int, default=300)
    parser.add_argument("--upcoming", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.ended, args.upcoming))
