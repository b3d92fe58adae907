"""Notices in: written with their chunk, the fresh e-mails handed to the senders.

Drafts queued while the previous ones are being written are written together (the fact
intake handles a batch's facts concurrently): one preferences look-up, one chunk and one
``insert_many`` of notices for all of them, not one each.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError
from samling_contracts.vocabulary import Channel
from samling_kernel.ids import new_id
from samling_runtime.batching import Batcher
from samling_runtime.clock import Clock
from samling_runtime.mongo import Document
from samling_runtime.telemetry import current_trace

from samling_notifications.adapters.delivery.jobs import Job
from samling_notifications.adapters.delivery.ledger import Ledger
from samling_notifications.adapters.delivery.recorder import fact_fields
from samling_notifications.adapters.store.notices import (
    CHUNK,
    insert_notices,
    notice_documents,
    preferences_of,
)
from samling_notifications.adapters.store.stores import Stores, delivery_fact
from samling_notifications.domain.notices import Draft, Status, notification_id


@dataclass
class _Queued:
    draft: Draft
    trace: dict[str, str] = field(default_factory=current_trace)
    """The trace of the fact handler that queued it: its mails are sent in it."""
    inserted: int = 0
    """Its notices that were new (written when it was queued)."""


class _DraftWriter(Batcher[_Queued]):
    def __init__(
        self,
        collection: AsyncCollection[Document],
        write: Callable[[list[_Queued]], Awaitable[None]],
    ) -> None:
        super().__init__(collection)
        self._write_drafts = write

    async def queue(self, queued: _Queued) -> None:
        await self._add(queued)

    async def _write_items(self, items: list[_Queued]) -> None:
        try:
            await self._write_drafts(items)
        except BulkWriteError as exc:
            # Its positions are notices', not drafts': every draft of the batch hears it.
            raise RuntimeError(f"writing notices failed: {exc}") from exc


def possible_ids(drafts: list[_Queued]) -> list[str]:
    """The ids of every notice the drafts may make, on either channel."""
    ids = (
        notification_id(r.id, q.draft.source_event_id, q.draft.kind, channel)
        for q in drafts
        for r in q.draft.recipients
        for channel in (Channel.INBOX, Channel.EMAIL)
    )
    return list(dict.fromkeys(ids))


class Intake:
    def __init__(self, stores: Stores, clock: Clock, ledger: Ledger, owner: str) -> None:
        self.stores = stores
        self.clock = clock
        self.ledger = ledger
        self.owner = owner
        """The process that owns the chunks written here (see :mod:`.recovery`)."""
        self.stopping = False
        self._drafts = _DraftWriter(stores.notifications, self._write_drafts)

    async def queue(self, draft: Draft) -> int:
        """Write the notices of ``draft`` and hand the new e-mails to the senders."""
        if not draft.recipients:
            return 0
        if self.stopping:
            # Nothing would send them here: the fact is handled again by whoever takes over.
            raise RuntimeError("e-mail delivery is stopping; not taking new notices")
        queued = _Queued(draft)
        await self._drafts.queue(queued)
        return queued.inserted

    async def _write_drafts(self, drafts: list[_Queued]) -> None:
        now = self.clock.now()
        # A notice's id does not depend on the preferences: a batch that fits one chunk has
        # its chunk written while they are read, naming every notice it may hold (recovery
        # skips the ids that were never written). The reads and that write are one wait.
        may_hold = possible_ids(drafts)
        early = new_id("mc") if len(may_hold) <= CHUNK else None
        try:
            prefs, events, _ = await asyncio.gather(
                preferences_of(self.stores, (r.id for q in drafts for r in q.draft.recipients)),
                self._events_of(drafts),
                self._open_chunk(early, may_hold, now),
            )
        except Exception:
            if early is not None:  # nothing will close it: not left to the next owner's sweep
                with contextlib.suppress(Exception):
                    await self.ledger.close(early)
            raise
        chosen = {rid: p.language for rid, p in prefs.items()}
        entries: list[tuple[_Queued, Document, Document | None]] = []
        batched: set[str] = set()
        for q in drafts:
            addresses = {r.id: r.details() for r in q.draft.recipients if r.email}
            for doc in notice_documents(q.draft, prefs, now):
                # Two facts handled at once may queue the same notice (a contact list and a
                # membership both inviting a late-comer): one batch holds it once, or both
                # copies would pass as new below (by id) and the person would get it twice.
                if doc["_id"] in batched:
                    continue
                batched.add(doc["_id"])
                entries.append((q, doc, addresses.get(doc["recipient_id"])))
        if early is not None and not entries:
            await self.ledger.close(early)  # nobody is to be told anything
        for start in range(0, len(entries), CHUNK):
            chunk = entries[start : start + CHUNK]
            if early is not None:
                chunk_id = early  # the only chunk: its notices are among those it names
            else:
                chunk_id = new_id("mc")
                await self._open_chunk(chunk_id, [doc["_id"] for _, doc, _ in chunk], now)
            for _, doc, _ in chunk:
                doc["chunk"] = chunk_id
            written = await insert_notices(self.stores, [d for _, d, _ in chunk])
            fresh_ids = {d["_id"] for d in written}
            fresh = [(q, doc, known) for q, doc, known in chunk if doc["_id"] in fresh_ids]
            emails = [(q, doc, known) for q, doc, known in fresh if doc.get("pending")]
            self.ledger.open[chunk_id] = len(emails)
            for q, _, _ in fresh:
                q.inserted += 1
            # The mails go to the senders before the inbox facts are written: they wait for
            # nothing but their notices, which are stored (and their chunk names them).
            for q, doc, known in emails:
                rid = doc["recipient_id"]
                event = events.get(q.draft.refs.get("event_id") or "")
                language = chosen.get(rid)  # read just now: the sender need not read it again
                self.ledger.put(Job(doc, 1, known, event, language, True, trace=q.trace))
            await self._inbox_facts([d for _, d, _ in fresh if d["channel"] == str(Channel.INBOX)])
            if not emails:
                await self.ledger.close(chunk_id)

    async def _open_chunk(self, chunk_id: str | None, ids: list[str], now: datetime) -> None:
        """The chunk that names notices before they are written (see :mod:`.recovery`)."""
        if chunk_id is not None:
            await self.stores.mail_chunks.insert_one(
                {"_id": chunk_id, "owner": self.owner, "ids": ids, "created_at": now}
            )

    async def _events_of(self, drafts: list[_Queued]) -> dict[str, Document | None]:
        event_ids = list({e for q in drafts if (e := q.draft.refs.get("event_id"))})
        found = await asyncio.gather(*(self.stores.shared.events.get(e) for e in event_ids))
        return dict(zip(event_ids, found, strict=True))

    async def _inbox_facts(self, entries: list[Document]) -> None:
        """An inbox entry is delivered when it is written: NotificationSent (channel inbox) for
        the new ones, all in one revision. (A crash between the entries and this write loses
        these facts, not the entries.)"""
        if entries:
            await self.stores.record_outcomes(
                Channel.INBOX,
                {d["_id"]: str(Status.DELIVERED) for d in entries},
                [delivery_fact(fact_fields(d)) for d in entries],
            )
