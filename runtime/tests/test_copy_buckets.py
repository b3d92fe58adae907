"""A copy carries the time buckets of its state's datetimes, and a change that moves the time
moves the bucket (what a sweep over them reads by equality)."""

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from samling_devtools.memory_store import memory_database
from samling_kernel.decisions import Change
from samling_runtime.store import AggregateStore
from samling_runtime.time_buckets import TimeBuckets

DAYS = TimeBuckets("ends_at", timedelta(days=1))
NOON = datetime(2027, 3, 1, 12, tzinfo=UTC)


class Meeting(BaseModel):
    ends_at: datetime | None


async def test_a_copy_carries_the_bucket_of_its_time_and_follows_a_change() -> None:
    meetings: AggregateStore[Meeting] = AggregateStore(
        memory_database(), "meetings", Meeting, source="/test", buckets=[DAYS]
    )
    await meetings.create("m1", Change(Meeting(ends_at=NOON)))
    await meetings.create("open", Change(Meeting(ends_at=None)))
    assert await meetings.current.count_documents({DAYS.bucket_field: "2027-03-01T00:00"}) == 1

    moved = NOON - timedelta(days=40)
    await meetings.update("m1", lambda m: Change(m.model_copy(update={"ends_at": moved})))
    copy = await meetings.current.find_one({DAYS.bucket_field: DAYS.bucket(moved)})
    assert copy is not None
    assert copy["_id"] == "m1"
    assert await meetings.current.count_documents({DAYS.bucket_field: DAYS.bucket(NOON)}) == 0
    unbucketed = await meetings.current.find_one({"_id": "open"})
    assert unbucketed is not None
    assert DAYS.bucket_field not in unbucketed
