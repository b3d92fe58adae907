"""The fast tier's store keeps the real store's unique-``_id`` rule (no server needed)."""

import asyncio
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel
from pymongo import ReplaceOne, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError
from samling_devtools.memory_store import memory_aggregates, memory_database
from samling_kernel.decisions import Change
from samling_runtime.mongo import DUPLICATE_KEY, insert_new
from samling_runtime.store import AlreadyExists

NOW = datetime(2027, 1, 10, 8, 0, tzinfo=UTC)


class Counter(BaseModel):
    value: int


async def test_a_second_insert_of_the_same_id_is_refused() -> None:
    seats = memory_database()["seats"]
    await seats.insert_one({"_id": "evt:000001", "registration_id": "a"})
    with pytest.raises(DuplicateKeyError):
        await seats.insert_one({"_id": "evt:000001", "registration_id": "b"})
    assert await seats.find_one({"_id": "evt:000001"}) == {
        "_id": "evt:000001",
        "registration_id": "a",
    }


async def test_an_unordered_batch_inserts_the_new_and_names_each_duplicate() -> None:
    seats = memory_database()["seats"]
    await seats.insert_one({"_id": "b"})
    with pytest.raises(BulkWriteError) as refused:
        await seats.insert_many([{"_id": "a"}, {"_id": "b"}, {"_id": "c"}], ordered=False)
    errors = refused.value.details["writeErrors"]
    assert [(e["index"], e["code"]) for e in errors] == [(1, DUPLICATE_KEY)]
    assert sorted(d["_id"] for d in await seats.find({}).to_list()) == ["a", "b", "c"]
    assert await insert_new(seats, [{"_id": "c"}, {"_id": "d"}]) == {0}


async def test_aggregates_race_on_the_revision_id_as_on_the_real_store() -> None:
    counters = memory_aggregates(memory_database(), "counters", Counter, lambda: NOW)
    await counters.create("c1", Change(Counter(value=0)))
    with pytest.raises(AlreadyExists):
        await counters.create("c1", Change(Counter(value=5)))

    async def add_one() -> None:
        await counters.update("c1", lambda c: Change(Counter(value=c.value + 1)))

    await asyncio.gather(*(add_one() for _ in range(10)))  # they race for each version
    found = await counters.get("c1")
    assert found is not None
    assert (found.version, found.state.value) == (11, 10)
    assert await counters.create_many([("c1", Change(Counter(value=1)))]) == ["c1"]


async def test_datetimes_come_back_aware() -> None:
    col = memory_database()["times"]
    await col.insert_one({"_id": 1, "at": NOW})
    found = await col.find_one({"_id": 1})
    assert found is not None
    assert found["at"] == NOW
    assert found["at"].tzinfo is not None


async def test_a_bulk_write_replaces_updates_and_upserts_as_the_store_does() -> None:
    recipients = memory_database()["recipients"]
    await recipients.insert_many([{"_id": "a", "name": "A"}, {"_id": "b", "name": "B"}])
    await recipients.bulk_write(
        [
            ReplaceOne({"_id": "a"}, {"name": "Anne"}),
            UpdateOne({"_id": "b"}, {"$set": {"active": False}}),
            ReplaceOne({"_id": "c"}, {"name": "Cato"}, upsert=True),
            UpdateOne({"_id": "d"}, {"$set": {"name": "Dina"}}),  # no upsert: nothing
        ],
        ordered=False,
    )
    assert await recipients.find({}).to_list() == [
        {"_id": "a", "name": "Anne"},
        {"_id": "b", "name": "B", "active": False},
        {"_id": "c", "name": "Cato"},
    ]
    await recipients.update_many({"_id": {"$in": ["a", "c"]}}, {"$set": {"active": True}})
    assert await recipients.count_documents({"active": True}) == 2
