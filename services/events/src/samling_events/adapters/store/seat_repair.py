"""The orphan-seat repair, reading only the seats and registrations that came due.

A seat is an orphan when its registration never got written (a crash in the middle of a
batch: the seat is recent) or no longer holds it (a crash after cancelling, declining or
expiring an offer and before the seat went back: the registration changed recently, the seat
may be old). So a round reads, one equality each (``samling_runtime.time_buckets``):

- the seats taken in the ten-minute buckets that came due (``SEATS_BY_TAKEN``), and
- the registrations whose copy changed in the hours that came due (``COPIES_BY_HOUR``) and
  that left their seat, one query per such status, with the seats that still name them;

never every seat (FerretDB v1 reads a whole collection for a time range). A seat taken
within the grace period is left alone: its batch may still be writing its registration.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from samling_runtime.mongo import Document, find_by_ids
from samling_runtime.store import COPIES_BY_HOUR
from samling_runtime.time_buckets import BucketSweep, utc

from samling_events.adapters.store.stores import SEATS_BY_TAKEN, Stores
from samling_events.desk import Desks
from samling_events.domain.registrations import ACTIVE, HOLDS_SEAT, RegistrationStatus

ORPHAN_SEAT_GRACE = timedelta(minutes=2)
LOOKBACK = timedelta(days=1)
"""How far back a round looks for buckets it has not finished (a day of replicas down)."""
CATCH_UP = timedelta(days=7)
"""After a longer stop a round catches up a week (a thousand ten-minute buckets), no more."""
LEFT_SEAT = [s.value for s in RegistrationStatus if s not in ACTIVE]
"""Registrations that gave their seat up for good (a waiting one may be being promoted)."""


class SeatRepair:
    def __init__(self, stores: Stores, desks: Desks) -> None:
        self._stores = stores
        self._desks = desks
        marks = stores.sweep_marks
        self._taken = BucketSweep("orphan-seats", SEATS_BY_TAKEN, marks, LOOKBACK, CATCH_UP)
        self._changed = BucketSweep("seats-left", COPIES_BY_HOUR, marks, LOOKBACK, CATCH_UP)

    async def run(self, now: datetime) -> None:
        cutoff = now - ORPHAN_SEAT_GRACE
        for bucket in await self._taken.due(cutoff):
            seats = await self._stores.seats.find(bucket.query).to_list()
            await self._free_unheld(self._taken.before(seats, cutoff))
            await self._taken.finish(bucket)
        for bucket in await self._changed.due(cutoff):
            left = await self._seats_left(bucket.query)
            await self._free_unheld([s for s in left if utc(s["taken_at"]) < utc(cutoff)])
            await self._changed.finish(bucket)

    async def _seats_left(self, changed: Document) -> list[Document]:
        """The seats that still name a registration that changed then and left its seat."""
        seats: list[Document] = []
        for status in LEFT_SEAT:
            cursor = self._stores.registrations.current.find(
                {**changed, "status": status}, {"_id": 1}
            )
            async for registration in cursor:
                found = self._stores.seats.find({"registration_id": registration["_id"]})
                seats.extend(await found.to_list())
        return seats

    async def _free_unheld(self, seats: list[Document]) -> None:
        if not seats:
            return
        # One indexed look-up per holder: FerretDB v1 answers an `_id: {$in: ...}` by a scan.
        holders = await find_by_ids(
            self._stores.registrations.current,
            [s["registration_id"] for s in seats],
            {"status": 1, "seat_no": 1},
        )
        for seat in seats:
            holder = holders.get(seat["registration_id"])
            if (
                holder is not None
                and holder["status"] in HOLDS_SEAT
                and holder.get("seat_no") == seat["seat_no"]
            ):
                continue
            if holder is not None and holder["status"] == RegistrationStatus.WAITLISTED.value:
                continue  # a promotion in flight; the desk finishes or frees it
            await self._stores.seats.delete_one(
                {"_id": seat["_id"], "registration_id": seat["registration_id"]}
            )
            await self._desks.promote(seat["event_id"])
