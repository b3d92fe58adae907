"""The runtime's retention sweeps read by the hour that came due: consumed-event markers,
idempotency keys with their answers, and superseded revisions. A document just before the
horizon goes and one just after stays, a second round reads no finished hour, and documents
from before the buckets are swept once back-filled."""

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from samling_devtools.memory_store import memory_aggregates, memory_database, recording
from samling_kernel.decisions import Change
from samling_runtime.clock import ManualClock
from samling_runtime.idempotency import KEYS_BY_HOUR, IdempotencyKeys
from samling_runtime.processed import MARKERS_BY_HOUR, ProcessedEvents
from samling_runtime.store import REVISIONS_BY_HOUR
from samling_runtime.time_buckets import LOOKBACK

NOON = datetime(2027, 3, 1, 12, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)


async def test_markers_before_the_horizon_go_and_those_after_stay() -> None:
    clock = ManualClock(NOON - timedelta(hours=3))
    processed = ProcessedEvents(memory_database(), group="g", now=clock.now)
    await processed.prepare()
    assert await processed.mark("hours-ago")
    clock.set(NOON - SECOND)
    await processed.mark_many(["just-before"])
    clock.set(NOON + SECOND)
    assert await processed.mark("just-after")
    await processed.forget_before(NOON)
    assert await processed.seen_any(["hours-ago", "just-before", "just-after"]) == {"just-after"}


async def test_a_second_round_reads_only_the_horizons_own_hour() -> None:
    db = memory_database()
    processed = ProcessedEvents(db, group="g", now=lambda: NOON - timedelta(hours=2))
    await processed.mark("old")
    await processed.forget_before(NOON)
    calls = recording(db, "processed_events")
    await processed.forget_before(NOON + timedelta(minutes=20))
    own = MARKERS_BY_HOUR.bucket(NOON)
    assert [(m, q["_processed_at_bucket"]) for m, q in calls] == [("delete_many", own)]
    await processed.forget_before(NOON + timedelta(hours=1))
    assert [q["_processed_at_bucket"] for _, q in calls[1:]] == [
        own,  # now wholly before the horizon: read once more, then finished
        MARKERS_BY_HOUR.bucket(NOON + timedelta(hours=1)),
    ]


async def test_markers_from_before_the_buckets_are_swept_after_the_backfill() -> None:
    db = memory_database()
    old = NOON - timedelta(days=2)
    await db["processed_events"].insert_many(
        [
            {"_id": "g:old", "group": "g", "processed_at": old},
            {"_id": "g:timeless", "group": "g"},  # written before markers carried a time
        ]
    )
    processed = ProcessedEvents(db, group="g")
    await processed.prepare()
    await processed.forget_before(NOON)
    assert await processed.seen_any(["old", "timeless"]) == {"timeless"}


def _keys(db: Any, clock: ManualClock) -> IdempotencyKeys:
    return IdempotencyKeys(db, now=clock.now, retention=timedelta(hours=24))


async def _claim(keys: IdempotencyKeys, key: str) -> None:
    async def operation() -> tuple[int, dict[str, str]]:
        return 201, {"email": "ase@bodo.kommune.no"}

    await keys.run(scope="s", key=key, body={}, operation=operation)


async def test_keys_and_their_answers_before_the_horizon_go() -> None:
    db = memory_database()
    clock = ManualClock(NOON - timedelta(hours=5))
    keys = _keys(db, clock)
    await keys.prepare()
    await _claim(keys, "hours-ago")
    clock.set(NOON - SECOND)
    await _claim(keys, "just-before")
    clock.set(NOON + SECOND)
    await _claim(keys, "just-after")
    await keys.forget_before(NOON)
    assert await db["idempotency_keys"].distinct("_id") == ["s:just-after"]
    assert await db["idempotency_results"].distinct("_id") == ["s:just-after"]

    claims = recording(db, "idempotency_keys")
    await keys.forget_before(NOON + SECOND)
    assert {q.get("_created_at_bucket") for _, q in claims} == {KEYS_BY_HOUR.bucket(NOON)}


async def test_keys_from_before_the_buckets_are_swept_after_the_backfill() -> None:
    db = memory_database()
    await db["idempotency_keys"].insert_one(
        {"_id": "s:old", "fingerprint": "f", "created_at": NOON - timedelta(hours=30)}
    )
    await db["idempotency_results"].insert_one({"_id": "s:old", "status": 201, "body": {}})
    keys = _keys(db, ManualClock(NOON))
    await keys.prepare()
    await keys.forget_before(NOON - timedelta(hours=24))
    assert await db["idempotency_keys"].count_documents({}) == 0
    assert await db["idempotency_results"].count_documents({}) == 0


class Thing(BaseModel):
    name: str


async def test_superseded_revisions_are_handed_out_when_their_successor_is_due() -> None:
    db = memory_database()
    clock = ManualClock(NOON - timedelta(hours=2))
    things = memory_aggregates(db, "things", Thing, clock.now)
    await things.create("t1", Change(Thing(name="first")))
    clock.set(NOON - SECOND)
    await things.update("t1", lambda t: Change(Thing(name="second")))
    clock.set(NOON + SECOND)
    await things.update("t1", lambda t: Change(Thing(name="third")))
    sweep = things.history_sweep("scrub", LOOKBACK)
    handed: list[str] = []

    async def handle(revisions: list[dict[str, Any]]) -> None:
        handed.extend(r["state"]["name"] for r in revisions)

    await things.superseded(sweep, NOON, handle)
    assert handed == ["first"]  # "second" was replaced just after the horizon

    handed.clear()
    calls = recording(db, "things_revisions")
    await things.superseded(sweep, NOON + 2 * SECOND, handle)
    assert handed == ["first", "second"]  # the horizon's own hour is read every round
    bucket = REVISIONS_BY_HOUR.bucket_field
    assert {q[bucket] for m, q in calls if bucket in q} == {REVISIONS_BY_HOUR.bucket(NOON)}
