"""A timeline lists copies written before it existed, or whose bucket a crash left unnoted,
once the store starts (on the real FerretDB)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel
from pymongo import AsyncMongoClient
from samling_devtools.infra import Stack
from samling_kernel.decisions import Change
from samling_runtime.store import AggregateStore
from samling_runtime.timeline import DIRECTORY, Timeline, Way

pytestmark = pytest.mark.integration

WEEKS = Timeline("things", "at", days=7, keys=lambda doc: ["all"])


class Thing(BaseModel):
    at: datetime


async def test_copies_from_before_the_timeline_are_listed_after_a_start(
    stack: Stack, unique_db_name: str
) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = client[unique_db_name]
    start = datetime(2027, 3, 1, 9, tzinfo=UTC)
    try:
        # Written by a version without the timeline: no bucket field, no directory entry.
        before: AggregateStore[Thing] = AggregateStore(db, "things", Thing, source="/test")
        await before.ensure_indexes()
        for n in range(3):
            await before.create(f"old{n}", Change(Thing(at=start + timedelta(days=10 * n))))
        # Written with it, but the directory write was lost (a crash between the two writes).
        after: AggregateStore[Thing] = AggregateStore(
            db, "things", Thing, source="/test", timelines=[WEEKS]
        )
        await after.create("new", Change(Thing(at=start + timedelta(days=40))))
        await db[DIRECTORY].delete_many({})

        index = after.timelines["things"]
        ways = [Way({}, "all")]
        assert await index.page(ways, limit=10) == []

        await after.ensure_indexes()  # what a service does when it starts

        index._cache.clear()
        listed = await index.page(ways, limit=10)
        assert [d["_id"] for d in listed] == ["old0", "old1", "old2", "new"]
        assert all(d[WEEKS.bucket_field] == WEEKS.bucket(d["at"]) for d in listed)
        # A second start finds nothing left to mend.
        assert await index.relist() == 0
    finally:
        await client.close()


async def test_a_derived_field_is_added_to_copies_listed_before_it_existed(
    stack: Stack, unique_db_name: str
) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = client[unique_db_name]
    try:
        before: AggregateStore[Thing] = AggregateStore(
            db, "things", Thing, source="/test", timelines=[WEEKS]
        )
        await before.ensure_indexes()
        await before.create("old", Change(Thing(at=datetime(2027, 3, 1, 9, tzinfo=UTC))))
        hours = Timeline(
            "things",
            "at",
            days=7,
            keys=lambda doc: ["all"],
            derived=lambda doc: {"_hour": doc["at"].hour},
        )
        after: AggregateStore[Thing] = AggregateStore(
            db, "things", Thing, source="/test", timelines=[hours]
        )
        await after.ensure_indexes()  # the copy has its bucket already, not the new field
        found = await after.timelines["things"].page([Way({"_hour": 9}, "all")], limit=10)
        assert [d["_id"] for d in found] == ["old"]
        assert await after.timelines["things"].relist() == 0
    finally:
        await client.close()
