"""The reminder poll, reading only the hours whose reminders can still be due (#14).

Reminders stay after they fired (their runs say so), and a ``due_at`` range is not pushed
down by FerretDB v1: a poll by ``{"due_at": {"$lte": now}}`` read every reminder ever due,
twice a second, plus a run look-up each. So a reminder carries an hour
(``_due_at_bucket``, :mod:`samling_runtime.time_buckets`) and the poll reads only the hours
not finished yet, one equality each, with the hour's runs in one more equality:

- **The hour a reminder is in** is that of its due time, or of the write when the due time
  has passed already (:func:`reminder_hour`): a reminder put, planned or moved into the past
  lands in the hour that is now, which is never finished, and fires on the next poll. Nothing
  else falls into an hour once it is over, as with the retention sweeps.
- **An hour is finished** (a mark in ``sweep_marks``, insert-only) once it lies
  :data:`GRACE` in the past and each of its reminders has a run: a write that read the
  clock just before the hour ended is in by then.
- **A run** (``reminder_runs``, ``_id`` ``<reminder>@<due time>`` as before, so a moved
  reminder reminds again and one moved to the same time does not) carries its reminder's
  hour, so an hour's runs are one equality. A reminder with no run in its hour is looked up
  once by run id before it fires: it may have fired in another hour (put again at the same
  time after firing) or before runs carried an hour.

Two processes polling at once may both remind: the notices' unique key (the source id holds
the run id) queues one notice per person, and the run's unique ``_id`` records one run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError
from samling_runtime.mongo import Document
from samling_runtime.store import create_indexes_one_by_one
from samling_runtime.time_buckets import LOOKBACK, Bucket, BucketSweep, TimeBuckets, bucketed, utc

from samling_notifications.domain.transfer import AFTER_STALE

REMINDERS_BY_HOUR = TimeBuckets("due_at", timedelta(hours=1))
GRACE = timedelta(minutes=2)
"""How long after its end an hour is still read before it may be finished: a handler that
read the clock in the hour's last moments may still be writing a reminder into it."""
CATCH_UP = AFTER_STALE
"""After a stop a poll catches up this far at most: the longest a reminder stays worth
sending after its due time (the conversation after an event)."""

Remind = Callable[[Document, str], Awaitable[int]]
"""What firing a reminder does, given the reminder and its run id; returns notices queued."""


def reminder_hour(due_at: datetime, written_at: datetime) -> Document:
    """The hour field of a reminder due at ``due_at`` written at ``written_at``: the hour it
    falls due in, or the hour of the write when that has passed (it may be finished)."""
    return REMINDERS_BY_HOUR.fields(max(utc(due_at), utc(written_at)))


def run_id(reminder: Document) -> str:
    """A reminder's run at its due time: moved elsewhere, it runs again."""
    return f"{reminder['_id']}@{reminder['due_at'].isoformat()}"


class DueReminders:
    def __init__(
        self,
        reminders: AsyncCollection[Document],
        runs: AsyncCollection[Document],
        marks: AsyncCollection[Document],
    ) -> None:
        self._reminders = reminders
        self._runs = runs
        self._sweep = BucketSweep("reminders", REMINDERS_BY_HOUR, marks, LOOKBACK, CATCH_UP)
        self._pending: set[str] = set()
        """The hours not finished as of ``_through``'s hour: a finished hour stays finished,
        so the marks are read once an hour, not every poll. (A poll the scheduler runs and
        one a caller runs may overlap: each finds its hours here and drops those it finished.)"""
        self._through: str | None = None

    async def prepare(self, now: datetime) -> int:
        """The hour indexes, and the back-fill of reminders from before them (at start).
        Returns how many reminders the back-fill gave an hour.

        Without reminders (a new database) the hours before ``now`` are finished at once:
        every reminder written from now on is in the hour of its write or later, so the
        first poll need not read the lookback's 168 empty hours."""
        field = REMINDERS_BY_HOUR.bucket_field
        await create_indexes_one_by_one(self._runs, [IndexModel([(field, ASCENDING)])])
        # No filter: FerretDB pushes the limit of one down, a read of one row at most.
        new = await self._reminders.find_one({}, {"_id": 1}) is None
        given = await bucketed(self._reminders, REMINDERS_BY_HOUR, self._sweep.marks)
        if new:
            past = [b for b in await self._sweep.due(now) if self._over(b.key, now)]
            await self._sweep.finish_all([Bucket(b.key, b.query, whole=True) for b in past])
        return given

    async def fire(self, now: datetime, remind: Remind) -> int:
        """``remind`` each reminder due by ``now`` that has not run, oldest hour first, and
        record its run; returns the notices queued."""
        fired = 0
        over: list[Bucket] = []
        try:
            for key in await self._unfinished(now):
                fired += await self._fire_hour(key, now, remind)
                if self._over(key, now):  # each of its reminders has a run now
                    over.append(Bucket(key, {REMINDERS_BY_HOUR.bucket_field: key}, whole=True))
        finally:  # one insert for the poll's finished hours (a catch-up finishes hundreds)
            await self._sweep.finish_all(over)
            self._pending.difference_update(bucket.key for bucket in over)
        return fired

    async def _unfinished(self, now: datetime) -> list[str]:
        current = REMINDERS_BY_HOUR.bucket(now)
        if current != self._through:  # a new hour (or the first poll): ask the marks
            self._pending = {bucket.key for bucket in await self._sweep.due(now)}
            self._through = current
        return sorted(self._pending)

    async def _fire_hour(self, key: str, now: datetime, remind: Remind) -> int:
        field = REMINDERS_BY_HOUR.bucket_field
        due = await self._reminders.find({field: key, "due_at": {"$lte": now}}).to_list()
        fired = 0
        if due:
            ran = {run["_id"] async for run in self._runs.find({field: key}, {"_id": 1})}
            for reminder in due:
                run = run_id(reminder)
                if run in ran or await self._ran_elsewhere(run):
                    continue
                fired += await remind(reminder, run)
                with contextlib.suppress(DuplicateKeyError):
                    await self._runs.insert_one({"_id": run, "at": now, field: key})
        return fired

    @staticmethod
    def _over(key: str, now: datetime) -> bool:
        """Whether nothing can still be written into the hour ``key`` (it may be finished)."""
        return REMINDERS_BY_HOUR.start_of_key(key) + REMINDERS_BY_HOUR.width + GRACE <= utc(now)

    async def _ran_elsewhere(self, run: str) -> bool:
        return await self._runs.find_one({"_id": run}, {"_id": 1}) is not None
