"""What this process holds of its e-mail notices, in memory: the queue the senders take
from, the retries waiting for their time (a heap against ``runtime.clock``), and how many
notices of each chunk it owns are not final yet (a chunk is deleted when none is left)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from samling_runtime.mongo import Document

from samling_notifications.adapters.delivery.jobs import Job
from samling_notifications.adapters.store.stores import Stores

ARRIVALS_KEPT_SECONDS = 60.0
"""How long an arrival is remembered for an attempt that was under way when it came."""


@dataclass(order=True)
class Due:
    at: datetime
    order: int
    job: Job = field(compare=False)


class Ledger:
    def __init__(self, stores: Stores) -> None:
        self.stores = stores
        self.jobs: asyncio.Queue[Job] = asyncio.Queue()
        self.retries: list[Due] = []
        self._order = itertools.count()
        self.open: dict[str, int] = {}
        """Chunk id → e-mail notices of it not final yet (only chunks this process owns)."""
        self.active: set[str] = set()
        """Notification ids queued, in flight or waiting for a retry in this process."""
        self._arrived: dict[str, float] = {}
        """``recipient:<id>`` / ``event:<id>`` → when its address or details arrived (oldest
        first), for an attempt that looked for them just before (see :meth:`arrived_for`)."""

    def put(self, job: Job) -> None:
        self.active.add(job.notice["_id"])
        self.jobs.put_nowait(job)

    def retry_at(self, at: datetime, job: Job) -> None:
        self.active.add(job.notice["_id"])
        heapq.heappush(self.retries, Due(at, next(self._order), job))

    def requeue_due(self, now: datetime) -> int:
        """Retries that are due go back on the queue."""
        due = 0
        while self.retries and self.retries[0].at <= now:
            job = heapq.heappop(self.retries).job
            job.recipient = job.event = None  # look again: an address may have arrived
            self.jobs.put_nowait(job)
            due += 1
        return due

    def hasten(self, now: datetime, recipients: Collection[str], events: Collection[str]) -> int:
        """Retries waiting for these addresses or event details are due now."""
        self._note_arrivals([f"recipient:{r}" for r in recipients] + [f"event:{e}" for e in events])
        moved = 0
        for due in self.retries:
            notice = due.job.notice
            if due.job.waiting_for_facts and (
                notice["recipient_id"] in recipients or notice["refs"].get("event_id") in events
            ):
                due.at = min(due.at, now)
                moved += 1
        if moved:
            heapq.heapify(self.retries)
        return moved

    def _note_arrivals(self, keys: list[str]) -> None:
        at = time.monotonic()
        for key in keys:
            self._arrived.pop(key, None)  # to the end: the dict stays oldest first
            self._arrived[key] = at
        while self._arrived and next(iter(self._arrived.values())) < at - ARRIVALS_KEPT_SECONDS:
            del self._arrived[next(iter(self._arrived))]

    def arrived_for(self, notice: Document) -> bool:
        """Whether the notice's address or event details arrived lately: an attempt that
        found them missing may have looked just before they were stored, so it is tried
        again at once instead of after its wait. Each arrival answers so once (no loop)."""
        keys = (f"recipient:{notice['recipient_id']}", f"event:{notice['refs'].get('event_id')}")
        return bool([key for key in keys if self._arrived.pop(key, None) is not None])

    def finished(self, notice: Document) -> str | None:
        """A notice reached its final state: the chunk it closes, if it was the last."""
        self.active.discard(notice["_id"])
        chunk = notice.get("chunk")
        if chunk in self.open:
            self.open[chunk] -= 1
            if self.open[chunk] <= 0:
                return str(chunk)
        return None

    async def close(self, chunk_id: str) -> None:
        self.open.pop(chunk_id, None)
        await self.stores.mail_chunks.delete_one({"_id": chunk_id})
