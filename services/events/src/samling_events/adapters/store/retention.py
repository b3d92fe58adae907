"""Anonymisation once events have ended long enough ago, reading only the events that came due.

Event copies carry the day they end (``EVENTS_BY_END``, kept by every change, so a reschedule
moves it). A round reads, one equality each (``samling_runtime.time_buckets``):

- the events that ended in the days that came due before the horizon, then each one's
  registrations not yet anonymised by ``event_id``; a day is finished once its events are;
- the events whose copy changed in the hours that came due (``COPIES_BY_HOUR``) and ended
  before the horizon: an event rescheduled into a day already finished (or written with an
  end long past) is read there, since its day is never read again.

The sweep before this read every ended event and every registration of them not yet erased
(an ``$in`` that FerretDB v1 leaves to Go), every 30 seconds.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from samling_runtime.mongo import Document
from samling_runtime.store import COPIES_BY_HOUR
from samling_runtime.time_buckets import BucketSweep, utc

from samling_events.adapters.store.erasure import anonymise_event
from samling_events.adapters.store.stores import EVENTS_BY_END, Stores

ENDED_LOOKBACK = timedelta(days=14)
"""How many days before the horizon a round looks for days it has not finished."""
CHANGED_LOOKBACK = timedelta(days=1)
CHANGED_CATCH_UP = timedelta(days=14)
"""Events moved into a finished day are looked for in the last fortnight's changes at most."""


class Anonymisation:
    def __init__(self, stores: Stores, after: timedelta) -> None:
        self._stores = stores
        self._after = after
        marks = stores.sweep_marks
        self._ended = BucketSweep("anonymise-ended", EVENTS_BY_END, marks, ENDED_LOOKBACK)
        self._changed = BucketSweep(
            "anonymise-changed", COPIES_BY_HOUR, marks, CHANGED_LOOKBACK, CHANGED_CATCH_UP
        )

    async def run(self, now: datetime) -> int:
        """Anonymise what came due; returns how many registrations were."""
        horizon = now - self._after
        done = 0
        for bucket in await self._ended.due(horizon):
            done += await self._anonymise(bucket.query, horizon, now)
            await self._ended.finish(bucket)
        for bucket in await self._changed.due(now):
            done += await self._anonymise(bucket.query, horizon, now)
            await self._changed.finish(bucket)
        return done

    async def _anonymise(self, events: Document, horizon: datetime, now: datetime) -> int:
        found = await self._stores.events.current.find(events, {"ends_at": 1}).to_list()
        done = 0
        for event in found:
            if utc(event["ends_at"]) < utc(horizon):
                done += await anonymise_event(self._stores, event["_id"], now)
        return done
