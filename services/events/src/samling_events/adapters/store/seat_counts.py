"""Seats taken per event for the event lists, kept a few seconds in this process.

A list page of 50 events would otherwise count each listed event's seat documents on every
request, and FerretDB v1 counts by reading every seat (a hundred per event at a year's scale:
5,000 rows a page). The lists take the counts from here; ``GET /events/{id}``, the page a
person registers from, still counts exactly.

- An entry younger than ``fresh_seconds`` is served as it is.
- An older one is served while one count of that event runs in the background, up to
  ``stale_seconds``; past that, or unknown, the request waits for the count. A page's misses
  are counted together, and each event is counted once however many requests want it.
- The registration desk of this process records the count it knows after each batch
  (:meth:`SeatCounts.record`), so someone who registers sees the list move at once on this
  replica; other replicas' registrations show once the entry is refreshed. A count that was
  running when the desk recorded is dropped: it may have been read before the desk's write.
- At most ``max_entries`` events are kept, the least recently used leave first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)

FRESH_SECONDS = 5.0
STALE_SECONDS = 30.0
MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class _Entry:
    taken: int
    read_at: float
    """When the count was read (``now``'s clock): a recorded count may be older than now."""


class SeatCounts:
    """Seats taken per event id, as of a few seconds ago at most (see the module)."""

    def __init__(
        self,
        count: Callable[[str], Awaitable[int]],
        *,
        now: Callable[[], float] = time.monotonic,
        fresh_seconds: float = FRESH_SECONDS,
        stale_seconds: float = STALE_SECONDS,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._count = count
        self._now = now
        self._fresh = fresh_seconds
        self._stale = stale_seconds
        self._max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._counting: dict[str, asyncio.Task[int]] = {}

    async def taken(self, event_ids: Iterable[str]) -> dict[str, int]:
        """Seats taken of each event: known ones at once, unknown ones counted together."""
        found: dict[str, int] = {}
        missing: list[str] = []
        now = self._now()
        for event_id in dict.fromkeys(event_ids):
            entry = self._entries.get(event_id)
            age = now - entry.read_at if entry else math.inf
            if entry is None or age >= self._stale:
                missing.append(event_id)
                continue
            found[event_id] = entry.taken
            self._entries.move_to_end(event_id)
            if age >= self._fresh:
                self._counting_now(event_id)  # served stale while this runs
        counted = await asyncio.gather(*(asyncio.shield(self._counting_now(e)) for e in missing))
        found.update(zip(missing, counted, strict=True))
        return found

    def record(self, event_id: str, taken: int, *, age: float = 0.0) -> None:
        """What the desk knows: ``taken`` seats, as read from the store ``age`` seconds ago
        plus the desk's own changes since."""
        self._keep(event_id, _Entry(taken, self._now() - age))

    def forget(self, event_id: str) -> None:
        """The next list counts this event afresh (the desk may have changed it unrecorded)."""
        self._entries.pop(event_id, None)

    async def stop(self) -> None:
        for task in list(self._counting.values()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # -- counting ------------------------------------------------------------------------------
    def _counting_now(self, event_id: str) -> asyncio.Task[int]:
        """The one count of this event under way, started if none is."""
        task = self._counting.get(event_id)
        if task is None:
            task = asyncio.create_task(self._count_into_cache(event_id))
            self._counting[event_id] = task
            task.add_done_callback(lambda done: self._counted(event_id, done))
        return task

    def _counted(self, event_id: str, task: asyncio.Task[int]) -> None:
        self._counting.pop(event_id, None)
        if not task.cancelled() and task.exception() is not None:
            # Nobody may be waiting for a background count: say it here (the entry stays).
            log.warning("counting the seats of %s failed: %r", event_id, task.exception())

    async def _count_into_cache(self, event_id: str) -> int:
        before = self._entries.get(event_id)
        read_at = self._now()
        taken = await self._count(event_id)
        current = self._entries.get(event_id)
        if current is not before:
            # The desk recorded (or forgot) meanwhile: this count may predate its change.
            return taken if current is None else current.taken
        self._keep(event_id, _Entry(taken, read_at))
        return taken

    def _keep(self, event_id: str, entry: _Entry) -> None:
        self._entries[event_id] = entry
        self._entries.move_to_end(event_id)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
