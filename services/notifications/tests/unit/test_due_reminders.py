"""The reminder poll reads by the hour (#14): a reminder is in the hour it falls due in, or in
the hour it was written when that is later; a poll reads only the hours not finished, with
each hour's runs in one query; a reminder moved into a finished hour (or into the past) fires
on the next poll, once; one put again at the time it fired at does not fire again."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from samling_devtools.memory_store import memory_database, recording
from samling_notifications.adapters.store.agenda import Agenda
from samling_notifications.adapters.store.due_reminders import (
    GRACE,
    REMINDERS_BY_HOUR,
    DueReminders,
    reminder_hour,
)
from samling_notifications.domain.audience import Reminder
from samling_notifications.domain.notices import Kind
from samling_runtime.clock import ManualClock
from samling_runtime.mongo import Document
from samling_runtime.time_buckets import MARKS

NOW = datetime(2027, 3, 1, 12, 20, tzinfo=UTC)
HOUR = timedelta(hours=1)
FIELD = REMINDERS_BY_HOUR.bucket_field


def reminder(event_id: str, due_at: datetime) -> Reminder:
    return Reminder(Kind.EVENT_REMINDER, event_id, due_at, due_at + timedelta(days=1))


@dataclass
class World:
    clock: ManualClock = field(default_factory=lambda: ManualClock(NOW))
    fired: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.db = memory_database()
        self.agenda = Agenda(self.db["reminders"], self.clock)
        self.poll = self.instance()

    def instance(self) -> DueReminders:
        """A notifications process's poll (a second one: another replica)."""
        return DueReminders(self.db["reminders"], self.db["reminder_runs"], self.db[MARKS])

    async def remind(self, doc: Document, run_id: str) -> int:
        self.fired.append((doc["_id"], run_id))
        return 1

    async def fire_at(self, moment: datetime, poll: DueReminders | None = None) -> list[str]:
        """The reminders fired by a poll at ``moment``."""
        self.clock.set(moment)
        before = len(self.fired)
        await (poll or self.poll).fire(moment, self.remind)
        return [rid for rid, _ in self.fired[before:]]

    async def hour_of(self, reminder_id: str) -> str:
        doc = await self.db["reminders"].find_one({"_id": reminder_id})
        assert doc is not None
        return str(doc[FIELD])

    async def finished(self) -> set[str]:
        marks = await self.db[MARKS].find({"sweep": "reminders"}).to_list()
        return {m["bucket"] for m in marks}


def test_a_reminder_is_in_its_due_hour_or_the_hour_it_was_written_when_that_is_later() -> None:
    later = NOW + timedelta(days=2, minutes=7)
    assert reminder_hour(later, NOW) == {FIELD: REMINDERS_BY_HOUR.bucket(later)}
    assert reminder_hour(NOW - timedelta(days=3), NOW) == {FIELD: REMINDERS_BY_HOUR.bucket(NOW)}
    assert REMINDERS_BY_HOUR.bucket(NOW) == "2027-03-01T12:00"


async def test_each_reminder_fires_once_when_due_and_its_hour_is_then_finished() -> None:
    world = World()
    await world.poll.prepare(NOW)
    soon = NOW + timedelta(minutes=30)
    await world.agenda.put(reminder("evt_1", soon))
    await world.agenda.put(reminder("evt_2", soon + HOUR))
    assert await world.fire_at(soon - timedelta(seconds=1)) == []
    assert await world.fire_at(soon) == ["event:evt_1"]
    assert await world.fire_at(soon + timedelta(minutes=5)) == []
    assert REMINDERS_BY_HOUR.bucket(soon) not in await world.finished()
    assert await world.fire_at(soon + HOUR) == ["event:evt_2"]
    assert await world.fire_at(soon + HOUR + GRACE) == []
    assert REMINDERS_BY_HOUR.bucket(soon) in await world.finished()
    assert world.fired == [
        ("event:evt_1", f"event:evt_1@{soon.isoformat()}"),
        ("event:evt_2", f"event:evt_2@{(soon + HOUR).isoformat()}"),
    ]


async def test_a_poll_reads_the_hours_not_finished_and_each_hours_runs_at_once() -> None:
    world = World()
    world.clock.set(NOW - 4 * HOUR)
    for n in range(5):
        await world.agenda.put(reminder(f"evt_{n}", NOW - timedelta(hours=3, minutes=n)))
    assert len(await world.fire_at(NOW)) == 5
    reminders = recording(world.db, "reminders")
    runs = recording(world.db, "reminder_runs")
    await world.agenda.put(reminder("evt_new", NOW + timedelta(minutes=10)))
    reminders.clear()
    assert await world.fire_at(NOW + timedelta(minutes=10)) == ["event:evt_new"]
    # Only the hour that is now: the five that fired three hours ago are not read again.
    assert [query[FIELD] for _, query in reminders] == [REMINDERS_BY_HOUR.bucket(NOW)]
    assert [q for q in runs if q[0] == "find"] == [("find", {FIELD: "2027-03-01T12:00"})]


async def test_a_reminder_moved_into_a_finished_hour_fires_on_the_next_poll_once() -> None:
    world = World()
    first = NOW + timedelta(minutes=10)
    await world.agenda.put(reminder("evt_1", first))
    assert await world.fire_at(first) == ["event:evt_1"]
    await world.fire_at(NOW + 3 * HOUR)  # the hour it fired in is finished now
    assert REMINDERS_BY_HOUR.bucket(first) in await world.finished()
    # The event is moved to 12:40: its reminder is due in the finished hour, and in the past.
    moved = first + timedelta(minutes=20)
    await world.agenda.put(reminder("evt_1", moved))
    assert await world.hour_of("event:evt_1") == REMINDERS_BY_HOUR.bucket(NOW + 3 * HOUR)
    assert await world.fire_at(NOW + 3 * HOUR + timedelta(seconds=1)) == ["event:evt_1"]
    assert world.fired[-1] == ("event:evt_1", f"event:evt_1@{moved.isoformat()}")
    assert await world.fire_at(NOW + 3 * HOUR + timedelta(seconds=2)) == []
    assert await world.fire_at(NOW + 5 * HOUR) == []


async def test_a_transfer_reminder_moved_into_the_past_fires_once() -> None:
    world = World()
    rid = "transfer:trp_1:during:participant"
    plan = {"_id": rid, "kind": str(Kind.TRANSFER_REMINDER), "event_id": "evt_1"}
    await world.db["reminders"].insert_one(
        {**plan, "due_at": NOW + timedelta(days=3), "not_after": NOW + timedelta(days=4)}
    )
    assert await world.fire_at(NOW) == []
    past = NOW - timedelta(days=2)
    await world.agenda.move_unless_held(rid, {"due_at": past, "not_after": NOW + HOUR})
    assert await world.fire_at(NOW + timedelta(seconds=1)) == [rid]
    assert await world.fire_at(NOW + timedelta(days=4)) == []  # not at the old time either


async def test_a_reminder_put_again_at_the_time_it_fired_does_not_fire_again() -> None:
    world = World()
    due = NOW + timedelta(minutes=5)
    await world.agenda.put(reminder("evt_1", due))
    assert await world.fire_at(due) == ["event:evt_1"]
    world.clock.set(NOW + 2 * HOUR)
    await world.agenda.put(reminder("evt_1", due))  # the event's title changed, not its time
    assert await world.hour_of("event:evt_1") == REMINDERS_BY_HOUR.bucket(NOW + 2 * HOUR)
    assert await world.fire_at(NOW + 2 * HOUR) == []
    assert await world.fire_at(NOW + 4 * HOUR) == []
    assert REMINDERS_BY_HOUR.bucket(NOW + 2 * HOUR) in await world.finished()


async def test_another_instance_with_its_own_view_of_the_hours_fires_nothing_twice() -> None:
    world = World()
    other = world.instance()
    due = NOW + timedelta(minutes=5)
    await world.agenda.put(reminder("evt_1", due))
    await world.agenda.put(reminder("evt_2", due + HOUR))
    assert await world.fire_at(NOW, other) == []  # the other has read the hours now
    assert await world.fire_at(due) == ["event:evt_1"]
    assert await world.fire_at(due + timedelta(seconds=1), other) == []
    assert await world.fire_at(due + HOUR + GRACE, other) == ["event:evt_2"]
    assert await world.fire_at(due + HOUR + GRACE) == []
    assert [rid for rid, _ in world.fired] == ["event:evt_1", "event:evt_2"]


async def test_reminders_from_before_the_hours_get_theirs_and_fire_when_due() -> None:
    world = World()
    due = NOW + timedelta(minutes=30)
    old = {**reminder("evt_1", due).document(), "_id": "event:evt_1"}
    await world.db["reminders"].insert_one(old)
    await world.db["reminders"].insert_one({"_id": "transfer:held", "held": True})  # tombstone
    assert await world.poll.prepare(NOW) == 1
    assert await world.hour_of("event:evt_1") == REMINDERS_BY_HOUR.bucket(due)
    assert await world.fire_at(due) == ["event:evt_1"]


async def test_overlapping_polls_of_one_process_each_finish_the_hours_they_read() -> None:
    world = World()
    due = NOW - timedelta(minutes=5)
    world.clock.set(due)
    await world.agenda.put(reminder("evt_1", due))
    later = NOW + 2 * HOUR
    world.clock.set(later)
    await asyncio.gather(world.poll.fire(later, world.remind), world.poll.fire(later, world.remind))
    assert REMINDERS_BY_HOUR.bucket(due) in await world.finished()
    assert {rid for rid, _ in world.fired} == {"event:evt_1"}
    assert await world.fire_at(later + timedelta(seconds=1)) == []


async def test_a_new_database_finishes_the_past_hours_at_once_and_reads_only_the_current() -> None:
    world = World()
    assert await world.poll.prepare(NOW) == 0
    finished = await world.finished()
    assert len(finished) == 7 * 24  # the lookback, up to the hour before NOW's
    assert REMINDERS_BY_HOUR.bucket(NOW - HOUR) in finished
    assert REMINDERS_BY_HOUR.bucket(NOW) not in finished
    reminders = recording(world.db, "reminders")
    await world.agenda.put(reminder("evt_1", NOW - timedelta(days=2)))  # due in the past
    reminders.clear()
    assert await world.fire_at(NOW + timedelta(seconds=1)) == ["event:evt_1"]
    assert [query[FIELD] for _, query in reminders] == [REMINDERS_BY_HOUR.bucket(NOW)]


async def test_a_database_with_reminders_reads_the_lookback_on_its_first_poll() -> None:
    world = World()
    world.clock.set(NOW - timedelta(days=2))
    await world.agenda.put(reminder("evt_1", NOW - timedelta(days=2)))
    assert await world.poll.prepare(NOW) == 0
    assert await world.finished() == set()
    assert await world.fire_at(NOW) == ["event:evt_1"]
