"""Reminders and digests, run against ``runtime.clock`` (tests move a ManualClock).

A reminder is a document per event (``event:<id>``) or pre-work assignment
(``assignment:<id>``) holding when it is due; handlers move it when the event is rescheduled
and delete it when the event is cancelled. When it is due the scheduler queues notices for the
participants confirmed *at that moment* (so a cancelled registration gets none), with the source
id ``reminder:<reminder id>@<due time>``: a rerun after a crash queues nothing twice, and a
reminder moved to a new time reminds again. A ``reminder_runs`` document marks it done; the
poll reads only the hours of reminders not all done (:mod:`.store.due_reminders`).
A transfer plan's reminders (``transfer:<plan>:<conversation>:<person>``, see
:mod:`samling_notifications.domain.transfer`) remind their one person each.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import timedelta
from typing import Any

from samling_runtime.mongo import Document
from samling_runtime.service import Runtime

from samling_notifications.adapters.delivery import DeliveryWorker
from samling_notifications.adapters.store.notices import event_params
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.adapters.worker import Worker
from samling_notifications.domain.notices import Draft, Kind, Recipient, RecipientType
from samling_notifications.domain.transfer import recipient_of
from samling_notifications.settings import NotificationsSettings


class Scheduler(Worker):
    def __init__(
        self,
        runtime: Runtime,
        stores: Stores,
        settings: NotificationsSettings,
        delivery: DeliveryWorker,
    ) -> None:
        super().__init__(runtime, stores, settings)
        self.delivery = delivery

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        next_digests = next_sweep = loop.time()

        async def once() -> int:
            nonlocal next_digests, next_sweep
            await self.fire_reminders()
            if loop.time() >= next_digests:
                await self.send_digests()
                next_digests = loop.time() + self.settings.digest_poll_seconds
            if loop.time() >= next_sweep:
                await self.sweep_old_notices()
                next_sweep = loop.time() + self.settings.notice_sweep_seconds
            return 0  # time moves on its own: wait for the next poll

        await self.rounds(once, self.settings.scheduler_poll_seconds, "scheduler")

    async def fire_reminders(self) -> int:
        now = self.runtime.clock.now()

        async def remind(reminder: Document, run_id: str) -> int:
            if now < reminder["not_after"]:  # found too late: marked run, not sent
                return await self._remind(reminder, run_id)
            return 0

        return await self.stores.due_reminders.fire(now, remind)

    async def _remind(self, reminder: Document, run_id: str) -> int:
        event_id = reminder["event_id"]
        params: dict[str, Any] = await event_params(self.stores, event_id)
        refs = {"event_id": event_id}
        if reminder.get("plan_id"):
            return await self._remind_of_transfer(reminder, run_id, params)
        if reminder.get("assignment_id"):
            refs["assignment_id"] = reminder["assignment_id"]
            params.update(task=reminder.get("task"), due_at=reminder["not_after"].isoformat())
        draft = Draft(
            kind=Kind(reminder["kind"]),
            source_event_id=f"reminder:{run_id}",
            recipients=await self.stores.registration_views.participants(event_id),
            refs=refs,
            params=params,
        )
        return await self.delivery.queue(draft)

    async def _remind_of_transfer(
        self, reminder: Document, run_id: str, params: dict[str, Any]
    ) -> int:
        """One conversation's reminder to one of its two people, with their own link."""
        draft = Draft(
            kind=Kind.TRANSFER_REMINDER,
            source_event_id=f"reminder:{run_id}",
            recipients=[recipient_of(reminder)],
            refs={
                key: reminder[key]
                for key in ("event_id", "plan_id", "registration_id", "conversation")
            },
            params={
                **params,
                "conversation": reminder["conversation"],
                "participant": await self.stores.people.name_of(reminder["participant_id"]),
            },
        )
        return await self.delivery.queue(draft)

    async def send_digests(self) -> int:
        """Bundle the queued digest lines that are due into one notice per recipient."""
        now = self.runtime.clock.now()
        by_recipient: dict[tuple[str, str, Any], list[Document]] = defaultdict(list)
        for doc in await self.stores.notice_log.digest_lines_due(now):
            by_recipient[(doc["recipient_id"], doc["recipient_type"], doc["digest_at"])].append(doc)
        for (recipient_id, recipient_type, at), items in by_recipient.items():
            draft = Draft(
                kind=Kind.DIGEST,
                source_event_id=f"digest:{at.isoformat()}",
                recipients=[Recipient(id=recipient_id, type=RecipientType(recipient_type))],
                params={"item_ids": [d["_id"] for d in items]},
            )
            await self.delivery.queue(draft)
            await self.stores.notice_log.mark_digested([d["_id"] for d in items])
        return len(by_recipient)

    async def sweep_old_notices(self) -> int:
        """Delete notices older than the retention, and their read state (FerretDB has no TTL
        indexes, so expiry is this sweep, an hour of notices at a time: ``NoticeExpiry``)."""
        before = self.runtime.clock.now() - timedelta(days=self.settings.notice_retention_days)
        return await self.stores.expiry.delete_before(before)
