"""Idempotency keys against the real store: a repeat replays, a changed body is refused."""

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from samling_devtools.infra import Stack
from samling_runtime.idempotency import IdempotencyKeys
from samling_runtime.problems import Problem

pytestmark = pytest.mark.integration


async def test_same_key_runs_once_even_when_requests_race(
    stack: Stack, unique_db_name: str
) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    keys = IdempotencyKeys(client[unique_db_name])
    runs = 0

    async def operation() -> tuple[int, dict[str, int]]:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.05)
        return 201, {"run": runs}

    responses = await asyncio.gather(
        *(keys.run(scope="s", key="k1", body={"a": 1}, operation=operation) for _ in range(10))
    )
    assert runs == 1
    assert {r.body for r in responses} == {b'{"run":1}'}
    assert sum(1 for r in responses if r.headers.get("Idempotent-Replayed")) == 9

    with pytest.raises(Problem) as reused:
        await keys.run(scope="s", key="k1", body={"a": 2}, operation=operation)
    assert reused.value.status == 422
    await client.close()
