"""The local store's look-ups stay index scans while a collection grows.

FerretDB v1 sends a filter as a prepared statement whose field is a parameter
(`_jsonb->$1 @> $2`). With PostgreSQL's default plan cache, five look-ups on a small table
can make it keep a generic plan, a sequential scan (the index is on `_jsonb->'_id'`, which
`_jsonb->$1` does not match), for every later look-up on that connection, however large
the table grows: the notifications service read ~1,400 rows per registration from its
consumed-event markers that way. ``samling_devtools.store_servers`` plans each statement
with its values (``plan_cache_mode``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from samling_devtools.own_store import own_store
from samling_devtools.pytest_plugin import external
from samling_devtools.store_servers import PostgresServer

SMALL = 10
GROWN = 5_000
LOOK_UPS = 100


@pytest.mark.integration
@pytest.mark.skipif(external(), reason="starts a store of its own")
async def test_id_look_ups_on_a_grown_collection_read_no_whole_table() -> None:
    async with own_store() as store:
        # One connection: the prepared statements of the look-ups on the small table are the
        # ones reused once it has grown.
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            store.url.replace("maxPoolSize=16", "maxPoolSize=1")
        )
        try:
            markers = client["plans"]["markers"]
            await markers.insert_many([{"_id": f"small-{i}"} for i in range(SMALL)])
            for i in range(SMALL):
                assert await markers.find_one({"_id": f"small-{i}"})
            await markers.insert_many([{"_id": f"grown-{i}"} for i in range(GROWN)])
            before = await asyncio.to_thread(_scans, store.postgres)
            for i in range(LOOK_UPS):
                assert await markers.find_one({"_id": f"grown-{i * 7}"})
            after = await _settled_scans(store.postgres, before)
        finally:
            await client.close()
    # Sequentially read rows: a generic plan would read the whole table per look-up
    # (100 x 5,010); index scans read none.
    assert after[1] - before[1] >= LOOK_UPS, "the look-ups' scans were never counted"
    assert after[0] - before[0] < GROWN, f"{after[0] - before[0]} rows read by sequential scans"


def _scans(postgres: PostgresServer) -> tuple[int, int]:
    """Rows read by sequential scans, and scans of either kind, of the markers' table."""
    out = postgres.psql(
        "select coalesce(sum(seq_tup_read), 0), coalesce(sum(seq_scan + idx_scan), 0) "
        "from pg_stat_user_tables where schemaname = 'plans' and relname like 'markers%'"
    )
    rows, scans = out.strip().split("|")
    return int(rows), int(scans)


async def _settled_scans(postgres: PostgresServer, before: tuple[int, int]) -> tuple[int, int]:
    """PostgreSQL publishes a backend's counters up to seconds late: wait until the look-ups'
    scans are counted (or 15 s)."""
    now = before
    for _ in range(30):
        now = await asyncio.to_thread(_scans, postgres)
        if now[1] - before[1] >= LOOK_UPS:
            break
        await asyncio.sleep(0.5)
    return now
