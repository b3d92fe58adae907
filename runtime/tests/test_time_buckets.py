"""Bucketed sweeps: a round reads the buckets that came due and the horizon's own, a finished
bucket is never read again, and documents from before the buckets get theirs once."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from samling_devtools.memory_store import memory_database
from samling_runtime.mongo import Document
from samling_runtime.time_buckets import BucketSweep, TimeBuckets, backfill, backfilled, bucketed

HOURS = TimeBuckets("at", timedelta(hours=1))
NOON = datetime(2027, 3, 1, 12, 30, tzinfo=UTC)


def test_a_moment_has_one_bucket_and_buckets_sort_like_time() -> None:
    assert HOURS.bucket(NOON) == HOURS.bucket(NOON.replace(minute=0)) == "2027-03-01T12:00"
    assert HOURS.bucket(NOON.replace(tzinfo=None)) == HOURS.bucket(NOON)
    day = [HOURS.bucket(NOON + timedelta(minutes=17 * i)) for i in range(100)]
    assert sorted(day) == day
    tens = TimeBuckets("at", timedelta(minutes=10))
    assert tens.bucket(NOON + timedelta(minutes=9)) == "2027-03-01T12:30"
    assert tens.bucket(NOON + timedelta(minutes=10)) == "2027-03-01T12:40"
    assert HOURS.fields(NOON) == {"_at_bucket": "2027-03-01T12:00"}


def _sweep(db: Any, lookback: timedelta = timedelta(hours=5)) -> BucketSweep:
    return BucketSweep("things-expire", HOURS, db["sweep_marks"], lookback)


async def test_a_round_reads_unfinished_buckets_and_always_the_horizons_own() -> None:
    sweep = _sweep(memory_database())
    due = await sweep.due(NOON)
    assert [b.key for b in due] == [f"2027-03-01T{h:02d}:00" for h in range(7, 13)]
    assert [b.whole for b in due] == [True] * 5 + [False]
    assert due[0].query == {"_at_bucket": "2027-03-01T07:00"}
    for bucket in due:
        await sweep.finish(bucket)
    again = await sweep.due(NOON + timedelta(minutes=20))
    assert [(b.key, b.whole) for b in again] == [("2027-03-01T12:00", False)]
    later = await sweep.due(NOON + timedelta(hours=2))
    assert [(b.key, b.whole) for b in later] == [
        ("2027-03-01T12:00", True),
        ("2027-03-01T13:00", True),
        ("2027-03-01T14:00", False),
    ]


async def test_marks_older_than_the_lookback_are_deleted_and_other_sweeps_keep_theirs() -> None:
    db = memory_database()
    sweep, other = _sweep(db), BucketSweep("others", HOURS, db["sweep_marks"], timedelta(days=1))
    for bucket in await sweep.due(NOON):
        await sweep.finish(bucket)
    for bucket in await other.due(NOON):
        await other.finish(bucket)
    await sweep.due(NOON + timedelta(hours=3))
    mine = [d["bucket"] async for d in db["sweep_marks"].find({"sweep": "things-expire"})]
    assert min(mine) == "2027-03-01T10:00"
    assert await db["sweep_marks"].count_documents({"sweep": "others"}) == 24


async def test_only_documents_before_the_horizon_are_handed_out_of_its_bucket() -> None:
    sweep = _sweep(memory_database())
    docs = [{"_id": i, "at": NOON.replace(minute=m)} for i, m in enumerate((5, 29, 30, 31))]
    assert [d["_id"] for d in sweep.before(docs, NOON)] == [0, 1]


async def test_backfill_gives_old_documents_their_bucket_once() -> None:
    db = memory_database()
    things = db["things"]
    await things.insert_many(
        [
            {"_id": "old", "at": NOON},
            {"_id": "new", "at": NOON, **HOURS.fields(NOON)},
            {"_id": "timeless", "at": None},
        ]
    )
    assert await backfill(things, HOURS, db["sweep_marks"]) == 1
    assert (await things.find_one({"_id": "old"}) or {})["_at_bucket"] == "2027-03-01T12:00"
    await things.insert_one({"_id": "older", "at": NOON})
    assert await backfill(things, HOURS, db["sweep_marks"]) == 0  # remembered: no second scan


async def test_a_round_hands_out_each_due_bucket_and_the_horizon_within_its_own() -> None:
    sweep = _sweep(memory_database())
    handled: list[Document] = []

    async def handle(query: Document) -> None:
        handled.append(query)

    await sweep.round(NOON, handle)
    assert handled[0] == {"_at_bucket": "2027-03-01T07:00"}
    assert handled[-1] == {"_at_bucket": "2027-03-01T12:00", "at": {"$lt": NOON}}
    assert len(handled) == 6
    handled.clear()
    await sweep.round(NOON + timedelta(minutes=5), handle)
    assert handled == [{"_at_bucket": "2027-03-01T12:00", "at": {"$lt": NOON.replace(minute=35)}}]


async def test_a_bucket_whose_handling_failed_is_read_again_next_round() -> None:
    sweep = _sweep(memory_database())
    handled: list[str] = []

    async def failing_at_nine(query: Document) -> None:
        if query["_at_bucket"] == "2027-03-01T09:00":
            raise RuntimeError("the store went away")
        handled.append(query["_at_bucket"])

    with pytest.raises(RuntimeError):
        await sweep.round(NOON, failing_at_nine)
    assert handled == ["2027-03-01T07:00", "2027-03-01T08:00"]
    handled.clear()

    async def handle(query: Document) -> None:
        handled.append(query["_at_bucket"])

    await sweep.round(NOON, handle)
    assert handled == [f"2027-03-01T{h:02d}:00" for h in range(9, 13)]


async def test_bucketed_backfills_every_old_document_and_a_loader_can_skip_the_scan() -> None:
    db = memory_database()
    old: list[Document] = [{"_id": i, "at": NOON - timedelta(minutes=7 * i)} for i in range(40)]
    await db["things"].insert_many(old)
    assert await bucketed(db["things"], HOURS, db["sweep_marks"]) == 40
    given = await db["things"].find({"_at_bucket": {"$exists": True}}).to_list()
    assert {d["_id"]: d["_at_bucket"] for d in given} == {
        d["_id"]: HOURS.bucket(d["at"]) for d in old
    }
    await db["loaded"].insert_one({"_id": "with-its-bucket", "at": NOON, **HOURS.fields(NOON)})
    await backfilled(db["loaded"], HOURS, db["sweep_marks"])
    await db["loaded"].insert_one({"_id": "bucketless", "at": NOON})
    assert await backfill(db["loaded"], HOURS, db["sweep_marks"]) == 0


async def _ignore(query: Document) -> None:
    pass


def _noting(handled: list[str]) -> Callable[[Document], Awaitable[None]]:
    """A round's handler that notes the bucket of each query it is given."""

    async def handle(query: Document) -> None:
        handled.append(query["_at_bucket"])

    return handle


async def test_a_sweep_stopped_longer_than_its_lookback_resumes_after_its_newest_bucket() -> None:
    sweep = _sweep(memory_database())  # a lookback of 5 hours

    await sweep.round(NOON, _ignore)
    handled: list[str] = []
    handle = _noting(handled)

    await sweep.round(NOON + timedelta(days=1), handle)
    assert handled[0] == "2027-03-01T12:00"  # not 07:00 the next day
    assert handled[-1] == "2027-03-02T12:00"
    assert len(handled) == 25
    handled.clear()
    await sweep.round(NOON + timedelta(days=1, minutes=10), handle)
    assert handled == ["2027-03-02T12:00"]


async def test_a_repair_catches_up_no_further_than_its_limit_after_a_long_stop() -> None:
    db = memory_database()
    sweep = BucketSweep("repair", HOURS, db["sweep_marks"], timedelta(hours=5), timedelta(hours=8))

    await sweep.round(NOON, _ignore)
    handled: list[str] = []
    handle = _noting(handled)

    await sweep.round(NOON + timedelta(days=3), handle)  # 72 hours missed, 8 caught up
    assert handled[0] == "2027-03-04T04:00"
    assert handled[-1] == "2027-03-04T12:00"
    assert len(handled) == 9
