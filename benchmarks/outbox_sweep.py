"""One outbox sweep on a store whose revisions were all sent long ago, before and after the
sweep read by the minute (#14): the read it replaced (every revision with facts, ``pending``
for good, filtered by ``recorded_at`` in FerretDB after PostgreSQL returned them all) against
the minutes since the horizon (one equality each). Prints the PostgreSQL rows each read and
its time.

Run: ``uv run --frozen python benchmarks/outbox_sweep.py [--revisions 50000]``.
It starts a store of its own (PostgreSQL + FerretDB on free ports) and stops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from pymongo import AsyncMongoClient
from samling_contracts.network import NetworkUpdated
from samling_contracts.vocabulary import NetworkField
from samling_devtools.benchmarking import running_store
from samling_devtools.infra import Stack
from samling_devtools.store_rows import PGSTAT_IDLE_INTERVAL_SECONDS, store_work
from samling_kernel.decisions import Change
from samling_runtime.mongo import Document
from samling_runtime.store import AggregateStore

DATABASE = "bench_outbox"


class Named(BaseModel):
    name: str


async def measured(stack: Stack, work: Callable[[], Awaitable[Any]]) -> tuple[int, float]:
    """Rows PostgreSQL read for the benchmark's database during ``work``, and its time."""
    await asyncio.sleep(PGSTAT_IDLE_INTERVAL_SECONDS + 0.5)
    before = store_work(stack.postgres, DATABASE)
    t0 = time.perf_counter()
    await work()
    took = time.perf_counter() - t0
    await asyncio.sleep(PGSTAT_IDLE_INTERVAL_SECONDS + 0.5)
    return (store_work(stack.postgres, DATABASE) - before).rows_read, took


async def load(db: Any, count: int, now: datetime) -> AggregateStore[Named]:
    """``count`` revisions with a fact each, recorded an hour before ``now`` and sent."""
    store: AggregateStore[Named] = AggregateStore(
        db, "things", Named, source="/bench", now=lambda: now - timedelta(hours=1)
    )
    await store.ensure_indexes()
    for start in range(0, count, 1000):
        items = []
        for n in range(start, min(count, start + 1000)):
            fact = NetworkUpdated(network_id=f"t{n}", name="x", field=NetworkField.SCHOOL)
            items.append((f"t{n}", Change(Named(name="x"), [fact])))
        await store.create_many(items)
        batch = await store.revisions.find(
            {"aggregate_id": {"$in": [i for i, _ in items]}}
        ).to_list()
        await store.mark_sent(batch, now)
    return store


async def main(count: int) -> None:
    with running_store("samling-bench-outbox-") as stack:
        client: AsyncMongoClient[Document] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
        try:
            now = datetime.now(UTC)
            print(f"loading {count} revisions ...", flush=True)
            store = await load(client[DATABASE], count, now)
            stack.postgres.psql("VACUUM (ANALYZE)")
            horizon = now - timedelta(seconds=60)  # where a relay's horizon stays
            rows = [
                (
                    "every revision with facts (before)",
                    await measured(stack, lambda: store.unsent(horizon)),
                ),
                (
                    "the minutes since the horizon",
                    await measured(stack, lambda: store.unsent(horizon, by_minute=True)),
                ),
            ]
            print(f"\n| one sweep on {count:,} sent revisions | rows read | time |")
            print("|---|---|---|")
            for name, (read, took) in rows:
                print(f"| {name} | {read:,} | {took * 1000:.0f} ms |")
        finally:
            await client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--revisions", type=int, default=50_000)
    asyncio.run(main(parser.parse_args().revisions))
