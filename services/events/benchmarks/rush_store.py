"""The store's side of the registration rush: its raw unique-insert rate for comparison, the
capacity rule checked on what the rush left, and what the store did per registration (loaded by
``registration_rush.py``: scripts are no package)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import BulkWriteError
from samling_devtools.infra import Stack
from samling_devtools.store_rows import (
    PGSTAT_IDLE_INTERVAL_SECONDS,
    StoreWork,
    commands,
    store_work,
    table_work,
)


@dataclass
class StoreMeter:
    """The store's counters at the start of a phase (PostgreSQL's rows per database prefix,
    FerretDB's commands); :meth:`report` reads them again once PostgreSQL has published them.
    These figures do not move with the machine's load, unlike CPU times and latencies."""

    stack: Stack
    prefixes: list[str]
    work: dict[str, StoreWork] = field(default_factory=dict)
    tables: dict[str, dict[str, StoreWork]] = field(default_factory=dict)
    commands: Counter[str] = field(default_factory=Counter)

    async def settled_start(self) -> StoreMeter:
        """:meth:`start` once what came before has been published (it would count here)."""
        await asyncio.sleep(PGSTAT_IDLE_INTERVAL_SECONDS + 0.5)
        return self.start()

    def start(self) -> StoreMeter:
        self.work = {p: store_work(self.stack.postgres, p) for p in self.prefixes}
        self.tables = {p: table_work(self.stack.postgres, p) for p in self.prefixes}
        if port := self.stack.ferretdb.debug_port:
            self.commands = commands(port)
        return self

    def _by_collection(self, prefix: str, units: int) -> str:
        """Where the rows went: inserts / updates / deletes / rows read per unit by collection."""
        zero = StoreWork(0, 0, 0, 0, 0)
        now = table_work(self.stack.postgres, prefix)
        spent = {t: w - self.tables[prefix].get(t, zero) for t, w in now.items()}
        busy = sorted(
            ((t, w) for t, w in spent.items() if w != zero),
            key=lambda tw: -(tw[1].inserts + tw[1].updates + tw[1].deletes + tw[1].rows_read),
        )
        return "by collection (ins/upd/del/read): " + ", ".join(
            f"{t} {w.inserts / units:.2f}/{w.updates / units:.2f}/{w.deletes / units:.2f}/"
            f"{w.rows_read / units:.1f}"
            for t, w in busy
        )

    async def report(self, units: int, what: str, *, with_commands: bool) -> list[str]:
        """Per unit: each prefix's rows (commits are the whole store's), and FerretDB's
        commands when only the measured service used the store meanwhile."""
        await asyncio.sleep(PGSTAT_IDLE_INTERVAL_SECONDS + 0.5)  # idle backends publish
        lines = []
        for prefix, before in self.work.items():
            spent = await asyncio.to_thread(store_work, self.stack.postgres, prefix)
            # Commits are the whole store's: one figure when several databases share it.
            alone = len(self.work) == 1
            lines.append(f"{prefix:<21}" + (spent - before).per(units, what, commits=alone))
            lines.append(" " * 21 + self._by_collection(prefix, units))
            if not alone and prefix == self.prefixes[-1]:
                commits = (spent - before).commits / units
                lines.append(f"{'store commits':<21}{commits:.1f} per {what} (all databases)")
        port = self.stack.ferretdb.debug_port
        if with_commands and port:
            sent = commands(port) - self.commands
            total = sum(sent.values())
            detail = ", ".join(f"{name} {n / units:.2f}" for name, n in sent.most_common())
            lines.append(f"FerretDB commands    {total / units:.1f} per {what} ({detail})")
        return lines


async def raw_inserts(mongo_url: str, db: str, n: int, concurrency: int) -> tuple[float, float]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    coll = client[db]["bench_raw_seats"]
    await coll.drop()
    await coll.create_index("event_id")
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            await coll.insert_one({"_id": f"e1:{i:06d}", "event_id": "e1", "seat_no": i})

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    one = n / (time.perf_counter() - t0)
    coll2 = client[db]["bench_raw_seats_many"]
    await coll2.drop()
    docs = [{"_id": f"e1:{i:06d}", "event_id": "e1", "seat_no": i} for i in range(n)]
    t0 = time.perf_counter()
    for start in range(0, n, 500):
        with contextlib.suppress(BulkWriteError):
            await coll2.insert_many(docs[start : start + 500], ordered=False)
    many = n / (time.perf_counter() - t0)
    await client.close()
    return one, many


async def check(mongo_url: str, db: str, event_id: str, capacity: int, n: int) -> dict[str, int]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    database = client[db]
    regs = (
        await database["registrations"]
        .find({"event_id": event_id}, {"status": 1, "participant_id": 1, "seat_no": 1})
        .to_list()
    )
    seats = await database["seats"].count_documents({"event_id": event_id})
    await client.close()
    confirmed = [r for r in regs if r["status"] == "confirmed"]
    result = {
        "registrations": len(regs),
        "distinct_participants": len({r["participant_id"] for r in regs}),
        "confirmed": len(confirmed),
        "distinct_seats": len({r["seat_no"] for r in confirmed}),
        "seat_documents": seats,
        "waitlisted": sum(1 for r in regs if r["status"] == "waitlisted"),
    }
    assert result["registrations"] == n == result["distinct_participants"], result
    assert result["confirmed"] == min(capacity, n) == result["distinct_seats"] == seats, result
    assert result["confirmed"] + result["waitlisted"] == n, result
    return result
