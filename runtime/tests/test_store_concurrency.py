"""The revision store under contention, on the real FerretDB (which loses concurrent $inc)."""

import asyncio
from typing import Any

import pytest
from pydantic import BaseModel
from pymongo import AsyncMongoClient
from samling_contracts.network import NetworkUpdated
from samling_contracts.vocabulary import NetworkField
from samling_devtools.infra import Stack
from samling_kernel.decisions import Change
from samling_runtime.store import AggregateStore, AlreadyExists

pytestmark = pytest.mark.integration


class Counter(BaseModel):
    value: int
    seen: list[int]


@pytest.fixture
async def store(stack: Stack, unique_db_name: str) -> Any:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    counters: AggregateStore[Counter] = AggregateStore(
        client[unique_db_name], "counters", Counter, source="/test"
    )
    await counters.ensure_indexes()
    yield counters
    await client.close()


async def test_concurrent_updates_of_one_aggregate_lose_nothing(
    store: AggregateStore[Counter],
) -> None:
    await store.create("c1", Change(Counter(value=0, seen=[])))

    def bump(n: int) -> Any:
        def decide(state: Counter) -> Change[Counter]:
            fact = NetworkUpdated(network_id="c1", name=f"n{n}", field=NetworkField.SCHOOL)
            return Change(Counter(value=state.value + 1, seen=[*state.seen, n]), [fact])

        return decide

    writers = 60
    await asyncio.gather(*(store.update("c1", bump(n)) for n in range(writers)))

    latest = await store.require("c1")
    assert latest.state.value == writers
    assert sorted(latest.state.seen) == list(range(writers))
    history = await store.history("c1")
    assert [v.version for v in history] == list(range(1, writers + 2))
    # Every change carried its fact; each revision is pending until the relay sends it.
    assert await store.revisions.count_documents({"pending": True}) == writers
    current = await store.current.find_one({"_id": "c1"})
    assert current is not None
    assert current["_version"] == writers + 1


async def test_an_aggregate_is_created_once(store: AggregateStore[Counter]) -> None:
    results = await asyncio.gather(
        *(store.create("same", Change(Counter(value=n, seen=[]))) for n in range(20)),
        return_exceptions=True,
    )
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 1
    assert all(isinstance(r, AlreadyExists) for r in results if isinstance(r, BaseException))


async def test_create_many_reports_existing_ids(store: AggregateStore[Counter]) -> None:
    await store.create("a", Change(Counter(value=1, seen=[])))
    existed = await store.create_many(
        [(i, Change(Counter(value=2, seen=[]))) for i in ("a", "b", "c")]
    )
    assert existed == ["a"]
    assert (await store.require("a")).state.value == 1
    assert await store.current.count_documents({}) == 3
