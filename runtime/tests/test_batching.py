"""Concurrent single inserts become few insert_many calls, and each caller hears its own fate."""

import asyncio
from typing import Any

import pytest
from pymongo import ReplaceOne, UpdateOne
from pymongo.errors import DuplicateKeyError
from samling_runtime.batching import BulkWriter, InsertBatcher

pytestmark = pytest.mark.integration


async def test_a_rush_of_claims_is_batched_and_each_id_is_won_once(db: Any) -> None:
    batcher = InsertBatcher(db["claims"])
    await db["claims"].insert_one({"_id": "taken-before", "by": -1})
    # 300 callers at once: ids 0..99 three times over, plus one id that exists already.
    callers = [(f"k{n % 100}", n) for n in range(300)] + [("taken-before", 300)]

    async def claim(key: str, n: int) -> bool:
        try:
            await batcher.insert({"_id": key, "by": n})
        except DuplicateKeyError:
            return False
        return True

    won = await asyncio.gather(*(claim(key, n) for key, n in callers))

    winners = [callers[i] for i, ok in enumerate(won) if ok]
    assert sorted(key for key, _ in winners) == sorted(f"k{n}" for n in range(100))
    stored = {doc["_id"]: doc["by"] async for doc in db["claims"].find({})}
    assert stored == {**dict(winners), "taken-before": -1}  # the winner's document is the one kept
    assert batcher.batches <= 10  # not 301 round trips


async def test_a_store_failure_reaches_every_caller_of_the_batch(db: Any) -> None:
    batcher = InsertBatcher(db["claims"])
    await db.client.close()  # the store goes away under the batcher
    results = await asyncio.gather(
        *(batcher.insert({"_id": f"x{n}"}) for n in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, Exception) and not isinstance(r, DuplicateKeyError) for r in results)


async def test_concurrent_upserts_go_out_together(db: Any) -> None:
    writer = BulkWriter(db["people"])
    await db["people"].insert_one({"_id": "p0", "status": "waitlisted", "n": -1})

    async def write(n: int) -> None:
        if n % 2:
            await writer.write(ReplaceOne({"_id": f"p{n}"}, {"n": n}, upsert=True))
        else:
            update = {"$set": {"status": "confirmed", "n": n}}
            await writer.write(UpdateOne({"_id": f"p{n}"}, update, upsert=True))

    await asyncio.gather(*(write(n) for n in range(100)))

    stored = {doc["_id"]: doc async for doc in db["people"].find({})}
    assert {doc["n"] for doc in stored.values()} == set(range(100))
    assert stored["p0"] == {"_id": "p0", "status": "confirmed", "n": 0}
    assert writer.batches <= 10  # not 100 round trips
