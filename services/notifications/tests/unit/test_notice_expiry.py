"""Notices expire an hour at a time: those created before the horizon go with their read
state, those after stay, a second round reads only the horizon's own hour, and notices from
before the hours are swept once back-filled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from samling_devtools.memory_store import memory_database, recording
from samling_notifications.adapters.store.expiry import NOTICES_BY_HOUR, NoticeExpiry
from samling_notifications.adapters.store.inbox import Inbox
from samling_notifications.adapters.store.notices import notice_documents
from samling_notifications.domain.notices import Draft, Kind, Recipient, RecipientType
from samling_runtime.mongo import Document
from samling_runtime.time_buckets import MARKS

HORIZON = datetime(2027, 3, 1, 12, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def notices(name: str, at: datetime) -> list[Document]:
    """An inbox and an e-mail notice to ``name``, created at ``at``."""
    draft = Draft(
        kind=Kind.REGISTRATION_CONFIRMED,
        source_event_id=f"fact-{name}",
        recipients=[Recipient(id=name, type=RecipientType.PARTICIPANT)],
    )
    return notice_documents(draft, {}, at)


class World:
    def __init__(self) -> None:
        self.db = memory_database()
        self.notifications = self.db["notifications"]
        self.reads = self.db["inbox_reads"]
        self.expiry = NoticeExpiry(self.notifications, self.reads, self.db[MARKS])

    async def given(self, name: str, at: datetime, *, read: bool = True) -> None:
        docs = notices(name, at)
        await self.notifications.insert_many(docs)
        inbox = [d for d in docs if d["channel"] == "inbox"]
        if read:
            await Inbox(self.notifications, self.reads).mark(inbox[0], True, at)

    async def left(self) -> list[str]:
        docs = await self.notifications.find({}).to_list()
        return sorted({d["recipient_id"] for d in docs})

    async def read_by(self) -> list[str]:
        return sorted({d["recipient_id"] for d in await self.reads.find({}).to_list()})


async def test_notices_before_the_horizon_go_with_their_read_state() -> None:
    world = World()
    await world.expiry.prepare()
    await world.given("days-ago", HORIZON - timedelta(days=3))
    await world.given("just-before", HORIZON - SECOND)
    await world.given("just-after", HORIZON + SECOND)
    assert await world.expiry.delete_before(HORIZON) == 4  # two channels each
    assert await world.left() == ["just-after"]
    assert await world.read_by() == ["just-after"]


async def test_a_second_round_reads_only_the_horizons_own_hour() -> None:
    world = World()
    await world.given("hours-ago", HORIZON - timedelta(hours=5), read=False)
    assert await world.expiry.delete_before(HORIZON) == 2
    calls = recording(world.db, "notifications")
    await world.given("later", HORIZON + timedelta(minutes=5), read=False)
    assert await world.expiry.delete_before(HORIZON + timedelta(minutes=10)) == 2
    field = NOTICES_BY_HOUR.bucket_field
    read = [(method, query[field]) for method, query in calls]
    own = NOTICES_BY_HOUR.bucket(HORIZON)
    assert read == [("find", own), ("delete_many", own)]


async def test_notices_from_before_the_hours_are_swept_after_the_backfill() -> None:
    world = World()
    old = notices("old", HORIZON - timedelta(days=2))
    for doc in old:
        del doc[NOTICES_BY_HOUR.bucket_field]  # written before notices carried their hour
    await world.notifications.insert_many(old)
    await world.reads.insert_one({"_id": old[0]["_id"], "recipient_id": "old", "read": True})
    await world.given("new", HORIZON + SECOND)
    assert await world.expiry.prepare() == 2
    assert await world.expiry.delete_before(HORIZON) == 2
    assert await world.left() == ["new"]
    assert await world.read_by() == ["new"]
