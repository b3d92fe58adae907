"""Outcomes out: written in batches, their facts in one revision for the outbox.

First attempts become new ``deliveries`` aggregates with one ``create_many`` (state = log
line, fact = NotificationSent/Failed), later attempts their next revision. A retry waits in
the :class:`Ledger <.ledger.Ledger>`; a chunk whose notices all reached a final state is
deleted. At most ``delivery_record_every`` mails are in flight or sent without a written
outcome (the ``window`` the senders acquire): after a crash only those can go out twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from samling_contracts import Fact
from samling_contracts.vocabulary import Channel
from samling_kernel.decisions import Change
from samling_runtime.clock import Clock
from samling_runtime.mongo import Document

from samling_notifications.adapters.delivery.jobs import (
    ADDRESS_WAIT,
    ADDRESS_WAIT_CAP,
    WAITING_FOR_FACTS,
    Job,
    Outcome,
)
from samling_notifications.adapters.delivery.ledger import Ledger
from samling_notifications.adapters.store.stores import Delivery, Stores, delivery_fact
from samling_notifications.domain.notices import Status, retry_delay
from samling_notifications.settings import NotificationsSettings

log = logging.getLogger(__name__)


class Recorder:
    def __init__(
        self, stores: Stores, settings: NotificationsSettings, clock: Clock, ledger: Ledger
    ) -> None:
        self.stores = stores
        self.settings = settings
        self.clock = clock
        self.ledger = ledger
        self.window = asyncio.Semaphore(max(1, settings.delivery_record_every))
        self._outcomes: list[Outcome] = []
        self._have_outcomes = asyncio.Event()
        self._flushing: asyncio.Future[None] | None = None
        self.sent = 0

    def add(self, outcome: Outcome, *, wake: bool = True) -> None:
        """An attempt's outcome, to be written with the next batch (at once unless ``wake``
        is off: a stopping process writes it with :meth:`finish`)."""
        self._outcomes.append(outcome)
        if wake:
            self._have_outcomes.set()

    async def run(self) -> None:
        while True:
            await self._have_outcomes.wait()
            await asyncio.sleep(0.05)  # let a few more finish: one write for many
            try:
                # Shielded: a graceful stop waits for a write under way instead of cutting it.
                self._flushing = asyncio.ensure_future(self._flush())
                await asyncio.shield(self._flushing)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("could not record delivery outcomes; trying again")
                await asyncio.sleep(1)

    async def finish(self) -> None:
        """A graceful stop: the write under way, then what is left."""
        with contextlib.suppress(Exception):
            if self._flushing is not None:
                await asyncio.wait_for(self._flushing, timeout=15)
            await asyncio.wait_for(self._flush(), timeout=15)

    async def _flush(self) -> None:
        while self._outcomes:
            batch, self._outcomes = self._outcomes[:1000], self._outcomes[1000:]
            if not self._outcomes:
                self._have_outcomes.clear()
            try:
                await self._record(batch)
            except BaseException:
                self._outcomes[:0] = batch
                self._have_outcomes.set()
                raise
            for _ in batch:
                self.window.release()

    async def _record(self, outcomes: list[Outcome]) -> None:
        now = self.clock.now()
        for outcome in outcomes:
            if outcome.status is Status.RETRYING:
                if outcome.job.attempt >= self.settings.email_max_attempts:
                    outcome.status = Status.FAILED
                elif outcome.reason in WAITING_FOR_FACTS and self.ledger.arrived_for(
                    outcome.notice
                ):
                    outcome.next_attempt_at = now  # it arrived while the attempt was under way
                else:
                    outcome.next_attempt_at = now + self._retry_delay(outcome)
        # The facts first, all in one revision: a crash before the log lines below are
        # written sends those mails again, and their facts again (at least once).
        facts = [f for o in outcomes for f in _facts(o)]
        if facts:
            await self.stores.record_outcomes(
                Channel.EMAIL, {o.notice["_id"]: str(o.status) for o in outcomes}, facts
            )
        first = [o for o in outcomes if o.job.attempt == 1]
        existed = set(
            await self.stores.deliveries.create_many([(o.notice["_id"], _change(o)) for o in first])
        )
        for outcome in outcomes:
            if outcome.job.attempt > 1 or outcome.notice["_id"] in existed:
                await self.stores.deliveries.update(
                    outcome.notice["_id"], _always(_change(outcome))
                )
        closing: list[str] = []
        for outcome in outcomes:
            if outcome.status is Status.RETRYING and outcome.next_attempt_at is not None:
                job = Job(
                    outcome.notice,
                    outcome.job.attempt + 1,
                    waiting_for_facts=outcome.reason in WAITING_FOR_FACTS,
                )
                at = outcome.next_attempt_at
                if job.waiting_for_facts and self.ledger.arrived_for(outcome.notice):
                    # It arrived while the outcome was being written, after the look above
                    # and before the retry is in the heap, where the arrival would have found it.
                    at = now
                self.ledger.retry_at(at, job)
                continue
            chunk = self.ledger.finished(outcome.notice)
            if chunk is not None:
                closing.append(chunk)
        self.ledger.requeue_due(now)  # those due at once go now, not at the next poll
        self.sent += sum(1 for o in outcomes if o.status is Status.SENT)
        for chunk in closing:
            await self.ledger.close(chunk)

    def _retry_delay(self, outcome: Outcome) -> timedelta:
        if outcome.reason in WAITING_FOR_FACTS:
            return retry_delay(
                outcome.job.attempt,
                base=ADDRESS_WAIT.total_seconds(),
                cap=ADDRESS_WAIT_CAP.total_seconds(),
                jitter=0.0,
            )
        return retry_delay(
            outcome.job.attempt,
            base=self.settings.email_retry_base_seconds,
            cap=6 * 3600,
            jitter=random.random() * 0.2,
        )


def _always(change: Change[Delivery]) -> Callable[[Delivery], Change[Delivery]]:
    return lambda _: change


def _change(outcome: Outcome) -> Change[Delivery]:
    """The log line (its facts go out with the batch: see :meth:`Recorder._record`)."""
    notice = outcome.notice
    return Change(
        Delivery(
            notification_id=notice["_id"],
            recipient_id=notice["recipient_id"],
            channel=notice["channel"],
            kind=notice["kind"],
            source_event_id=notice["source_event_id"],
            status=outcome.status,
            attempt=outcome.job.attempt,
            reason=outcome.reason,
            next_attempt_at=outcome.next_attempt_at,
        )
    )


def fact_fields(notice: Document) -> dict[str, Any]:
    """What NotificationSent/Failed say of a notice."""
    return {
        "notification_id": notice["_id"],
        "recipient_id": notice["recipient_id"],
        "channel": Channel(notice["channel"]),
        "kind": notice["kind"],
        "source_event_id": notice["source_event_id"],
    }


def _facts(outcome: Outcome) -> list[Fact]:
    common = fact_fields(outcome.notice)
    if outcome.status is Status.SENT:
        return [delivery_fact(common)]
    if outcome.status is Status.FAILED:
        return [delivery_fact(common, outcome.reason or "failed")]
    return []
