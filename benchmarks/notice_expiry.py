"""One round of the notice expiry on a store of notices none of which are due, before and
after the sweep read by the hour (#14): the range sweep it replaced (``created_at < horizon``,
not pushed down by FerretDB v1, so PostgreSQL returns every notice) against a round of
``NoticeExpiry`` (one equality per hour that came due). Prints the PostgreSQL rows each read,
their time and the CPU seconds of FerretDB and PostgreSQL.

Run: ``uv run --frozen python benchmarks/notice_expiry.py [--notices 100000]``.
It starts a store of its own (PostgreSQL + FerretDB on free ports) and stops it at the end.
Beside ``scale_year.py``, not among the notifications service's own benchmarks: like the
year's loader it drives the service's store adapter in-process, where those measure the
running service from outside.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient
from samling_devtools.benchmarking import ProcessTree, isolated_stack
from samling_devtools.infra import Stack
from samling_notifications.adapters.store.expiry import NoticeExpiry
from samling_notifications.adapters.store.notices import notice_documents
from samling_notifications.domain.notices import Draft, Kind, Recipient, RecipientType
from samling_runtime.mongo import Document
from samling_runtime.time_buckets import MARKS

DATABASE = "bench_expiry"
RETENTION = timedelta(days=180)
STATS_FLUSH = 11.0
"""Seconds until every PostgreSQL backend has flushed its table statistics (an idle backend
flushes them within 10 s)."""


def rows_read(stack: Stack) -> int:
    """Rows PostgreSQL has read from the benchmark's tables so far (scans and index fetches)."""
    sql = (
        "SELECT coalesce(sum(seq_tup_read), 0) + coalesce(sum(idx_tup_fetch), 0) "
        "FROM pg_stat_user_tables WHERE schemaname = :'schema'"
    )
    return int(stack.postgres.psql(sql, schema=DATABASE).strip() or 0)


async def measured(
    stack: Stack, name: str, work: Callable[[], Awaitable[Any]]
) -> tuple[str, int, float, float]:
    await asyncio.sleep(STATS_FLUSH)
    rows = rows_read(stack)
    trees = [ProcessTree(stack.postgres.pid), ProcessTree(stack.ferretdb.pid)]
    t0 = time.perf_counter()
    await work()
    took = time.perf_counter() - t0
    cpu = sum(tree.seconds() - tree.start for tree in trees)
    await asyncio.sleep(STATS_FLUSH)
    return name, rows_read(stack) - rows, took, cpu


async def load(notifications: Any, count: int, now: datetime) -> None:
    """``count`` notices (inbox and e-mail), one a second back from ``now``: none is due."""
    batch: list[Document] = []
    for r in range(count // 2):
        draft = Draft(
            kind=Kind.REGISTRATION_CONFIRMED,
            source_event_id=f"fact-{r}",
            recipients=[Recipient(id=f"par_{r % 5000}", type=RecipientType.PARTICIPANT)],
        )
        batch.extend(notice_documents(draft, {}, now - timedelta(seconds=r)))
        if len(batch) >= 1000:
            await notifications.insert_many(batch, ordered=False)
            batch = []
    if batch:
        await notifications.insert_many(batch, ordered=False)


async def main(count: int) -> None:
    stack = isolated_stack("samling-bench-expiry-")
    # As Stack.start: the store makes its folders itself (PostgreSQL's as its own user).
    shutil.rmtree(stack.root)
    stack.store.start()
    stack.store.wait_ready()
    client: AsyncMongoClient[Document] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    try:
        db = client[DATABASE]
        expiry = NoticeExpiry(db["notifications"], db["inbox_reads"], db[MARKS])
        await expiry.prepare()  # on the empty collection, as a service's first start
        now = datetime.now(UTC)
        print(f"loading {count} notices ...", flush=True)
        await load(db["notifications"], count, now)
        stack.postgres.psql("VACUUM (ANALYZE)")
        horizon = now - RETENTION

        async def range_sweep() -> None:  # the sweep before #14, which found nothing
            query = {"created_at": {"$lt": horizon}}
            await db["notifications"].find(query, {"_id": 1}, limit=500).to_list()

        results = [
            await measured(stack, "range sweep (before)", range_sweep),
            await measured(
                stack, "first round by hour (168 h)", lambda: expiry.delete_before(horizon)
            ),
            await measured(
                stack,
                "next round by hour",
                lambda: expiry.delete_before(horizon + timedelta(hours=1)),
            ),
        ]
        print(f"\n| one round on {count:,} notices, none due | rows read | time | CPU |")
        print("|---|---|---|---|")
        for name, rows, took, cpu in results:
            print(f"| {name} | {rows:,} | {took * 1000:.0f} ms | {cpu:.2f} s |")
    finally:
        await client.close()
        stack.store.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=100_000)
    asyncio.run(main(parser.parse_args().notices))
