"""The store's side of the registration rush: its raw unique-insert rate for comparison, and the
capacity rule checked on what the rush left (loaded by ``registration_rush.py``: scripts are no
package)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import BulkWriteError


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
