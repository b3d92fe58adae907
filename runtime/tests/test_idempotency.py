"""Idempotency keys against the real store: a repeat replays, a changed body is refused, and
keys (with consumed-event markers) expire by the retention sweep."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from samling_devtools.infra import Stack
from samling_runtime.clock import ManualClock
from samling_runtime.idempotency import IdempotencyKeys
from samling_runtime.problems import Problem
from samling_runtime.processed import ProcessedEvents
from samling_runtime.sweep import RetentionSweep

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


START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def test_a_key_replayed_after_its_retention_runs_as_a_new_request(db: Any) -> None:
    clock = ManualClock(START)
    keys = IdempotencyKeys(db, now=clock.now, retention=timedelta(hours=24))
    runs = 0

    async def operation() -> tuple[int, dict[str, Any]]:
        nonlocal runs
        runs += 1
        return 201, {"run": runs, "name": "Åse Ørnes"}

    await keys.run(scope="s", key="k", body={"a": 1}, operation=operation)
    clock.advance(timedelta(hours=23))
    replayed = await keys.run(scope="s", key="k", body={"a": 1}, operation=operation)
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert runs == 1
    clock.advance(timedelta(hours=2))
    fresh = await keys.run(scope="s", key="k", body={"a": 1}, operation=operation)
    assert "Idempotent-Replayed" not in fresh.headers
    assert fresh.body == b'{"run":2,"name":"\xc3\x85se \xc3\x98rnes"}'


async def test_the_sweep_deletes_expired_keys_with_their_answers_and_old_event_markers(
    db: Any,
) -> None:
    clock = ManualClock(START)
    keys = IdempotencyKeys(db, now=clock.now, retention=timedelta(hours=24))
    processed = ProcessedEvents(db, group="g", now=clock.now)
    sweep = RetentionSweep(
        clock,
        idempotency=keys,
        processed=processed,
        processed_retention=timedelta(days=14),
        interval=60,
    )

    async def operation() -> tuple[int, dict[str, str]]:
        return 201, {"email": "ase@bodo.kommune.no"}

    await keys.run(scope="s", key="old", body={}, operation=operation)
    assert await processed.mark("evt-1")
    clock.advance(timedelta(hours=25))
    await keys.run(scope="s", key="new", body={}, operation=operation)
    await sweep.run_once()
    assert await db["idempotency_keys"].distinct("_id") == ["s:new"]
    assert await db["idempotency_results"].distinct("_id") == ["s:new"]
    assert await processed.seen("evt-1")  # Kafka may still redeliver it

    clock.advance(timedelta(days=14))
    await sweep.run_once()
    assert not await processed.seen("evt-1")
    assert await db["idempotency_keys"].count_documents({}) == 0
