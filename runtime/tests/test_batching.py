"""Concurrent single inserts become few insert_many calls, and each caller hears its own fate."""

import asyncio
from typing import Any

import pytest
from pymongo.errors import DuplicateKeyError
from samling_runtime.batching import InsertBatcher

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
