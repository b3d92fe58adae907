"""Crash recovery: this process's heartbeat, and taking over the chunks of processes that
stopped beating (one taker per chunk, by a unique ``mail_chunk_takeovers`` document)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError
from samling_runtime.clock import Clock
from samling_runtime.mongo import Document

from samling_notifications.adapters.delivery.jobs import FINAL, WAITING_FOR_FACTS, Job
from samling_notifications.adapters.delivery.ledger import Ledger
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.settings import NotificationsSettings

log = logging.getLogger(__name__)


@dataclass
class Recovery:
    stores: Stores
    settings: NotificationsSettings
    clock: Clock
    ledger: Ledger
    instance: str
    """This process: the owner its heartbeat names."""

    async def beat(self) -> None:
        await self.stores.delivery_workers.replace_one(
            {"_id": self.instance}, {"beat_at": datetime.now(UTC)}, upsert=True
        )

    async def heartbeat(self) -> None:
        every = max(0.2, self.settings.delivery_lease_seconds / 3)
        while True:
            await asyncio.sleep(every)
            try:
                await self.beat()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("delivery heartbeat not written: %s", exc)

    async def sweep(self) -> int:
        """Take over the open chunks of processes that stopped beating; queue what is left."""
        cutoff = datetime.now(UTC) - timedelta(seconds=self.settings.delivery_lease_seconds)
        alive: dict[str, bool] = {self.instance: True}
        requeued = 0
        async for chunk in self.stores.mail_chunks.find({}):
            owner = chunk.get("owner", "")
            if owner not in alive:
                beat = await self.stores.delivery_workers.find_one({"_id": owner})
                alive[owner] = beat is not None and beat["beat_at"].replace(tzinfo=UTC) > cutoff
            if alive[owner]:
                continue
            try:
                await self.stores.mail_chunk_takeovers.insert_one(
                    {"_id": f"{chunk['_id']}:{owner}", "by": self.instance}
                )
            except DuplicateKeyError:
                continue  # another process took it over
            await self.stores.mail_chunks.replace_one(
                {"_id": chunk["_id"]}, {**chunk, "owner": self.instance}
            )
            requeued += await self._recover(chunk)
        return requeued

    async def _recover(self, chunk: Document) -> int:
        limit = asyncio.Semaphore(8)

        async def load(nid: str) -> tuple[Document | None, Any]:
            async with limit:
                notice = await self.stores.notifications.find_one({"_id": nid})
                if notice is None or notice.get("chunk") != chunk["_id"]:
                    return None, None
                if not notice.get("pending") or nid in self.ledger.active:
                    return None, None
                return notice, await self.stores.deliveries.get(nid)

        found = await asyncio.gather(*(load(nid) for nid in chunk["ids"]))
        waiting = 0
        for notice, state in found:
            if notice is None:
                continue
            if state is None:
                self.ledger.put(Job(notice, 1))
            elif state.state.status in FINAL:
                continue
            else:
                job = Job(
                    notice,
                    state.state.attempt + 1,
                    waiting_for_facts=state.state.reason in WAITING_FOR_FACTS,
                )
                at = state.state.next_attempt_at or self.clock.now()
                self.ledger.retry_at(at, job)
            waiting += 1
        if waiting:
            self.ledger.open[chunk["_id"]] = waiting
        else:
            await self.ledger.close(chunk["_id"])
        if waiting:
            log.info("took over %d unsent notices of chunk %s", waiting, chunk["_id"])
        return waiting
