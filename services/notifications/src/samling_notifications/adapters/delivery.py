"""E-mail delivery: notices handed over in memory, sent over reused SMTP connections, outcomes
written in batches — and a slow sweep for what a crashed process left behind.

The hot path never queries by anything but ``_id`` (FerretDB v1 scans for any other filter):

1. :meth:`DeliveryWorker.queue` (called by the fact handlers and the scheduler) writes a
   ``mail_chunks`` document (its owner: this process; the notice ids) and then the notices of
   that chunk with one ``insert_many(ordered=False)``. The notice ``_id`` is the unique key
   (recipient, source fact, kind, channel): a duplicate means "queued before", so only the
   fresh e-mail notices are put on this process's in-memory queue.
2. A few sender tasks, each with its own SMTP connection (several messages per connection),
   take them from the queue, render them from a cached :mod:`prototype
   <samling_notifications.adapters.email.prototype>` per (fact, kind, language) and send them.
3. The recorder writes the outcomes in batches: first attempts as new ``deliveries``
   aggregates with one ``create_many`` (state = log line, fact = NotificationSent/Failed for
   the outbox), later attempts as the next revision. Retries wait in memory (a heap against
   ``runtime.clock``); a chunk whose notices all reached a final state is deleted (by ``_id``).

Crash safety: every process writes a heartbeat (``delivery_workers/<instance>``). The sweep
(at start-up and every ``delivery_sweep_seconds``) scans the small ``mail_chunks`` collection
(only open chunks are in it); a chunk whose owner's heartbeat is older than
``delivery_lease_seconds`` is taken over (a unique ``mail_chunk_takeovers`` document: one
taker) and its notices without a final outcome are queued again, retries at their time.

SMTP cannot say whether a mail accepted just before a crash arrived: at most
``delivery_record_every`` mails are in flight or sent without a written outcome at any time,
and after a crash only those can go out twice (with the same Message-ID). A graceful stop
finishes and records the mails in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import json
import logging
import random
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any

import aiosmtplib
from opentelemetry.trace import SpanKind
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError
from samling_contracts import Fact
from samling_contracts.vocabulary import Channel
from samling_runtime.batching import Batcher
from samling_runtime.mongo import Document, find_by_ids
from samling_runtime.service import Runtime
from samling_runtime.store import Change
from samling_runtime.telemetry import continued, current_trace

from samling_notifications.adapters.email import prototype
from samling_notifications.adapters.email.compose import MANAGE_KINDS
from samling_notifications.adapters.email.links import MailLinks, restricted
from samling_notifications.adapters.email.render import render, resolved_language
from samling_notifications.adapters.email.smtp import (
    PermanentFailure,
    TemporaryFailure,
    classified,
    smtp_client,
)
from samling_notifications.adapters.store.notices import (
    CHUNK,
    insert_notices,
    notice_documents,
    preferences_of,
    with_event,
)
from samling_notifications.adapters.store.stores import Delivery, Stores, delivery_fact
from samling_notifications.adapters.worker import Worker
from samling_notifications.domain.calendar import event_ics
from samling_notifications.domain.notices import Draft, Kind, Status, retry_delay

log = logging.getLogger(__name__)
ADDRESS_WAIT = timedelta(seconds=5)
"""An address (or event) not known yet is looked for again this soon, then at doubling
intervals up to :data:`ADDRESS_WAIT_CAP`: the fact carrying it travels on another topic and
may simply arrive later, or much later when that topic's consumer is catching up."""
ADDRESS_WAIT_CAP = timedelta(minutes=5)
WAITING_FOR_FACTS = ("no e-mail address known yet", "event details not known yet")
FINAL = (Status.SENT, Status.FAILED, Status.SKIPPED)
PROTOTYPES = 256


@dataclass
class Job:
    """One attempt at one e-mail notice. ``recipient``/``event`` are filled in when known."""

    notice: Document
    attempt: int
    recipient: Document | None = None
    event: Document | None = None
    language: str | None = None
    """The language the recipient chose in their preferences (looked up with ``recipient``)."""
    waiting_for_facts: bool = False
    """The last attempt found no address (or no event details) yet."""
    trace: dict[str, str] = field(default_factory=current_trace)
    """The trace of the fact that made the notice: its mail is sent in it."""


@dataclass
class Outcome:
    job: Job
    status: Status
    reason: str | None = None
    next_attempt_at: datetime | None = None

    @property
    def notice(self) -> Document:
        return self.job.notice


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


@dataclass(order=True)
class _Due:
    at: datetime
    order: int
    job: Job = field(compare=False)


class DeliveryWorker(Worker):
    def __init__(self, runtime: Runtime, stores: Stores) -> None:
        super().__init__(runtime, stores)
        self.instance = f"dw_{uuid.uuid4().hex[:16]}"
        self.jobs: asyncio.Queue[Job] = asyncio.Queue()
        self._outcomes: list[Outcome] = []
        self._have_outcomes = asyncio.Event()
        self._window = asyncio.Semaphore(max(1, self.settings.delivery_record_every))
        self._retries: list[_Due] = []
        self._order = itertools.count()
        self._open: dict[str, int] = {}
        """Chunk id → e-mail notices of it not final yet (only chunks this process owns)."""
        self._active: set[str] = set()
        """Notification ids queued, in flight or waiting for a retry in this process."""
        self._prototypes: OrderedDict[tuple[Any, ...], prototype.Prototype | None] = OrderedDict()
        self._ics: dict[tuple[str, int, bool], bytes] = {}
        self.links = MailLinks(self.settings)
        self._reports: OrderedDict[str, Document | None] = OrderedDict()
        self._next_sweep = 0.0
        self._flushing: asyncio.Future[None] | None = None
        self._stopping = False
        self._sender_address = parseaddr(self.settings.smtp_from)[1]
        """The envelope sender (``MAIL FROM``): the bare address of ``smtp_from``."""
        self.sent = 0
        self._drafts = _DraftWriter(stores.notifications, self._write_drafts)

    # -- queueing (fact handlers, scheduler) ------------------------------------------------
    async def queue(self, draft: Draft) -> int:
        """Write the notices of ``draft`` and hand the new e-mails to the senders.

        Drafts queued while the previous ones are being written are written together (the
        fact intake handles a batch's facts concurrently): one preferences look-up, one chunk
        and one ``insert_many`` of notices for all of them, not one each."""
        if not draft.recipients:
            return 0
        if self._stopping:
            # Nothing would send them here: the fact is handled again by whoever takes over.
            raise RuntimeError("e-mail delivery is stopping; not taking new notices")
        queued = _Queued(draft)
        await self._drafts.queue(queued)
        return queued.inserted

    async def _write_drafts(self, drafts: list[_Queued]) -> None:
        now = self.runtime.clock.now()
        prefs = await preferences_of(
            self.stores, (r.id for q in drafts for r in q.draft.recipients)
        )
        chosen = {rid: p.language for rid, p in prefs.items()}
        event_ids = {q.draft.refs.get("event_id") for q in drafts}
        events = {e: await self._event(e) for e in event_ids if e}
        entries: list[tuple[_Queued, Document, Document | None]] = []
        for q in drafts:
            addresses = {r.id: r.details() for r in q.draft.recipients if r.email}
            for doc in notice_documents(q.draft, prefs, now):
                entries.append((q, doc, addresses.get(doc["recipient_id"])))
        for start in range(0, len(entries), CHUNK):
            chunk = entries[start : start + CHUNK]
            chunk_id = f"mc_{uuid.uuid4().hex}"
            await self.stores.mail_chunks.insert_one(
                {
                    "_id": chunk_id,
                    "owner": self.instance,
                    "ids": [doc["_id"] for _, doc, _ in chunk],
                    "created_at": now,
                }
            )
            for _, doc, _ in chunk:
                doc["chunk"] = chunk_id
            fresh_ids = {
                d["_id"] for d in await insert_notices(self.stores, [d for _, d, _ in chunk])
            }
            fresh = [(q, doc, known) for q, doc, known in chunk if doc["_id"] in fresh_ids]
            await self._inbox_facts([d for _, d, _ in fresh if d["channel"] == str(Channel.INBOX)])
            emails = [(q, doc, known) for q, doc, known in fresh if doc.get("pending")]
            self._open[chunk_id] = len(emails)
            for q, _, _ in fresh:
                q.inserted += 1
            for q, doc, known in emails:
                rid = doc["recipient_id"]
                event = events.get(q.draft.refs.get("event_id") or "")
                self._put(Job(doc, 1, known, event, chosen.get(rid), trace=q.trace))
            if not emails:
                await self._close(chunk_id)

    async def _inbox_facts(self, entries: list[Document]) -> None:
        """An inbox entry is delivered when it is written: NotificationSent (channel inbox) for
        the new ones, all in one revision. (A crash between the entries and this write loses
        these facts, not the entries.)"""
        if entries:
            await self.stores.record_outcomes(
                Channel.INBOX,
                {d["_id"]: str(Status.DELIVERED) for d in entries},
                [delivery_fact(_fact_fields(d)) for d in entries],
            )

    def _put(self, job: Job) -> None:
        self._active.add(job.notice["_id"])
        self.jobs.put_nowait(job)

    async def _event(self, event_id: str | None) -> Document | None:
        if not event_id:
            return None
        return await self.stores.shared.events.get(event_id)

    async def _close(self, chunk_id: str) -> None:
        self._open.pop(chunk_id, None)
        await self.stores.mail_chunks.delete_one({"_id": chunk_id})

    # -- running ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Announce this process (before any chunk names it as owner)."""
        await self._beat()

    async def run(self) -> None:
        senders = [
            asyncio.create_task(self._sender(), name=f"smtp-{i}")
            for i in range(max(1, self.settings.smtp_connections))
        ]
        background = [
            asyncio.create_task(self._recorder(), name="delivery-recorder"),
            asyncio.create_task(self._heartbeat(), name="delivery-heartbeat"),
            asyncio.create_task(
                self.rounds(self._round, self.settings.delivery_poll_seconds, "delivery"),
                name="delivery-retries",
            ),
        ]
        try:
            # Not gather(): cancelling a gather cancels its tasks at once, and the senders
            # must be cancelled exactly once (below) for their mails in flight to finish.
            done, _ = await asyncio.wait([*senders, *background], return_when="FIRST_EXCEPTION")
            for task in done:
                task.result()
        finally:
            # A graceful stop: no new mails; those in flight finish and are recorded.
            self._stopping = True
            for task in senders:
                task.cancel()
            await asyncio.gather(*senders, return_exceptions=True)
            with contextlib.suppress(Exception):
                if self._flushing is not None:
                    await asyncio.wait_for(self._flushing, timeout=15)
                await asyncio.wait_for(self._flush(), timeout=15)
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self.stores.delivery_workers.delete_one({"_id": self.instance})

    def facts_arrived(
        self, *, recipients: Collection[str] = (), events: Collection[str] = ()
    ) -> int:
        """Addresses or event details just stored: this process's notices waiting for them
        go out on the next round instead of after their backoff (which grows to minutes)."""
        now = self.runtime.clock.now()
        moved = 0
        for due in self._retries:
            notice = due.job.notice
            if due.job.waiting_for_facts and (
                notice["recipient_id"] in recipients or notice["refs"].get("event_id") in events
            ):
                due.at = min(due.at, now)
                moved += 1
        if moved:
            heapq.heapify(self._retries)
        return moved

    async def _round(self) -> int:
        """Retries that are due go back on the queue; the sweep runs when its time has come."""
        now = self.runtime.clock.now()
        due = 0
        while self._retries and self._retries[0].at <= now:
            job = heapq.heappop(self._retries).job
            job.recipient = job.event = None  # look again: an address may have arrived
            self.jobs.put_nowait(job)
            due += 1
        loop = asyncio.get_running_loop()
        if loop.time() >= self._next_sweep:
            self._next_sweep = loop.time() + self.settings.delivery_sweep_seconds
            await self.sweep()
        return due

    # -- sending ------------------------------------------------------------------------------
    async def _sender(self) -> None:
        client = smtp_client(self.settings)
        try:
            while True:
                job = await self.jobs.get()
                await self._window.acquire()
                attempt = asyncio.ensure_future(self._attempt_safely(client, job))
                try:
                    outcome = await asyncio.shield(attempt)
                except asyncio.CancelledError:
                    # A graceful stop: the mail in flight finishes and is recorded. (wait()
                    # leaves the attempt running should this wait be cancelled too.)
                    await asyncio.wait([attempt], timeout=15)
                    if attempt.done() and not attempt.cancelled():
                        self._outcomes.append(attempt.result())
                    raise
                self._outcomes.append(outcome)
                self._have_outcomes.set()
        finally:
            if client.is_connected:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.quit(), timeout=2)

    async def _attempt_safely(self, client: aiosmtplib.SMTP, job: Job) -> Outcome:
        try:
            with continued(job.trace, "smtp send", SpanKind.CLIENT) as span:
                span.set_attribute("samling.notification.kind", str(job.notice["kind"]))
                return await self._attempt(client, job)
        except Exception as exc:  # a bug with one notice must not hold up the others
            log.exception("could not send notification %s", job.notice["_id"])
            return Outcome(job, Status.RETRYING, f"{type(exc).__name__}: {exc}")

    async def _attempt(self, client: aiosmtplib.SMTP, job: Job) -> Outcome:
        notice = job.notice
        if job.recipient is None:
            rid = notice["recipient_id"]
            job.recipient = await self.stores.recipients.find_one({"_id": rid})
            prefs = (await preferences_of(self.stores, [rid])).get(rid)
            job.language = prefs.language if prefs else None
        event_id = notice["refs"].get("event_id")
        if event_id and job.event is None:
            job.event = await self._event(event_id)
        recipient, event = job.recipient, job.event
        if notice.get("erased") or (recipient is not None and recipient.get("erased")):
            return Outcome(job, Status.SKIPPED, "the recipient was erased")
        if recipient is None or not recipient.get("email"):
            if recipient is not None and not recipient.get("active", True):
                return Outcome(job, Status.SKIPPED, "no longer a recipient")
            return Outcome(job, Status.RETRYING, WAITING_FOR_FACTS[0])
        if event_id and (event is None or not event.get("title")):
            return Outcome(job, Status.RETRYING, WAITING_FOR_FACTS[1])
        message = await self._message(notice, recipient, event, job.language)
        try:
            await _send(client, self._sender_address, recipient["email"], message)
        except PermanentFailure as exc:
            return Outcome(job, Status.FAILED, str(exc))
        except TemporaryFailure as exc:
            return Outcome(job, Status.RETRYING, str(exc))
        return Outcome(job, Status.SENT)

    async def _message(
        self, notice: Document, recipient: Document, event: Document | None, chosen: str | None
    ) -> bytes:
        kind = Kind(notice["kind"])
        language = resolved_language(chosen or recipient.get("language"))
        unsubscribe = not kind.about_own_registration
        manage = recipient.get("manage_url") if kind in MANAGE_KINDS else None
        name = recipient.get("name") or ""
        ics = self._calendar(event) if kind.attaches_calendar and event else None
        report_id = notice["refs"].get("report_id")
        report = await self._report(notice["source_event_id"], report_id) if report_id else None
        members_only = bool(report_id) and restricted(report)
        key: tuple[Any, ...] = (
            # What the words depend on (not the fact's id): a hundred confirmations of one
            # event's registrations share one prototype instead of rendering one each.
            notice["refs"].get("event_id"),
            json.dumps(notice.get("params") or {}, sort_keys=True, default=str),
            notice["kind"],
            language,
            bool(name.strip()),
            bool(manage),
            None if event is None else (event.get("sequence"), event.get("cancelled")),
            members_only,
        )
        if kind is Kind.DIGEST:
            key = (notice["_id"], *key)  # its lines are the recipient's own
        proto = self._prototypes.get(key)
        if key not in self._prototypes:
            items = await self._digest_items(notice, language) if kind is Kind.DIGEST else None
            proto = prototype.build(
                with_event(notice, event),  # queued before its event was known: fill it in
                items=items,
                language=language,
                links={"page_url": self.links.page(notice)},
                sender=self.settings.smtp_from,
                ics=ics,
                with_name=bool(name.strip()),
                with_manage=bool(manage),
                unsubscribe=unsubscribe,
                with_reader=members_only,
            )
            self._prototypes[key] = proto
            while len(self._prototypes) > PROTOTYPES:
                self._prototypes.popitem(last=False)
        if proto is None:
            raise PermanentFailure("the notice has a line too long for e-mail")
        rid, now = notice["recipient_id"], self.runtime.clock.now()
        person = prototype.Personal(
            notification_id=notice["_id"],
            name=name,
            address=recipient["email"],
            preferences_url=self.links.preferences(rid) if unsubscribe else None,
            manage_url=manage,
            unsubscribe_url=self.links.one_click(rid) if unsubscribe else None,
            reader_token=self.links.reader(report_id, rid, report or {}, now)
            if members_only
            else None,
        )
        return proto.message_for(person, now)

    # -- recording ----------------------------------------------------------------------------
    async def _recorder(self) -> None:
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
                self._window.release()

    async def _record(self, outcomes: list[Outcome]) -> None:
        now = self.runtime.clock.now()
        for outcome in outcomes:
            if outcome.status is Status.RETRYING:
                if outcome.job.attempt >= self.settings.email_max_attempts:
                    outcome.status = Status.FAILED
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
                heapq.heappush(self._retries, _Due(outcome.next_attempt_at, next(self._order), job))
                continue
            self._active.discard(outcome.notice["_id"])
            chunk = outcome.notice.get("chunk")
            if chunk in self._open:
                self._open[chunk] -= 1
                if self._open[chunk] <= 0:
                    closing.append(chunk)
        self.sent += sum(1 for o in outcomes if o.status is Status.SENT)
        for chunk in closing:
            await self._close(chunk)

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

    # -- crash recovery -----------------------------------------------------------------------
    async def _beat(self) -> None:
        await self.stores.delivery_workers.replace_one(
            {"_id": self.instance}, {"beat_at": datetime.now(UTC)}, upsert=True
        )

    async def _heartbeat(self) -> None:
        every = max(0.2, self.settings.delivery_lease_seconds / 3)
        while True:
            await asyncio.sleep(every)
            try:
                await self._beat()
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
                if not notice.get("pending") or nid in self._active:
                    return None, None
                return notice, await self.stores.deliveries.get(nid)

        found = await asyncio.gather(*(load(nid) for nid in chunk["ids"]))
        waiting = 0
        for notice, state in found:
            if notice is None:
                continue
            if state is None:
                job = Job(notice, 1)
                self._put(job)
            elif state.state.status in FINAL:
                continue
            else:
                job = Job(
                    notice,
                    state.state.attempt + 1,
                    waiting_for_facts=state.state.reason in WAITING_FOR_FACTS,
                )
                self._active.add(notice["_id"])
                at = state.state.next_attempt_at or self.runtime.clock.now()
                heapq.heappush(self._retries, _Due(at, next(self._order), job))
            waiting += 1
        if waiting:
            self._open[chunk["_id"]] = waiting
        else:
            await self._close(chunk["_id"])
        if waiting:
            log.info("took over %d unsent notices of chunk %s", waiting, chunk["_id"])
        return waiting

    # -- what a message needs -------------------------------------------------------------------
    async def _report(self, source_event_id: str, report_id: str) -> Document | None:
        """Who may read the report (kept by the report handler), once per fact: a fan-out
        does not look it up for every recipient."""
        if source_event_id not in self._reports:
            found = await self.stores.reports.find_one({"_id": report_id})
            self._reports[source_event_id] = found
            while len(self._reports) > PROTOTYPES:
                self._reports.popitem(last=False)
        return self._reports[source_event_id]

    def _calendar(self, event: Document) -> bytes:
        key = (event["_id"], int(event.get("sequence", 0)), bool(event.get("cancelled")))
        if key not in self._ics:
            self._ics[key] = event_ics(
                event_id=event["_id"],
                title=event["title"],
                starts_at=event["starts_at"],
                ends_at=event["ends_at"],
                sequence=key[1],
                stamp=self.runtime.clock.now(),
                timezone=event.get("timezone"),
                venue=event.get("venue"),
                online_url=event.get("online_url"),
                cancelled=key[2],
            )
        return self._ics[key]

    async def _digest_items(self, notice: Document, language: str) -> list[str]:
        ids = notice["params"].get("item_ids", [])
        lines = []
        for item in (await find_by_ids(self.stores.notifications, ids)).values():
            context = {"items": [], **(item.get("params") or {})}
            context.setdefault("report", item.get("params", {}).get("report", ""))
            lines.append(render(item["kind"], language, _defaults(context)).subject)
        return lines


async def _send(client: aiosmtplib.SMTP, sender: str, to: str, message: bytes) -> None:
    try:
        if not client.is_connected:
            await client.connect()
        if client.is_ehlo_or_helo_needed:
            await client.ehlo()
        options = ["BODY=8BITMIME"] if client.supports_extension("8BITMIME") else []
        if not options:
            raise PermanentFailure("the SMTP server does not take 8-bit mail (8BITMIME)")
        await client.sendmail(sender, [to], message, mail_options=options)
    except aiosmtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients[0]
        raise classified(refused.code, refused.message) from exc
    except aiosmtplib.SMTPResponseException as exc:
        raise classified(exc.code, exc.message) from exc
    except (aiosmtplib.SMTPException, OSError) as exc:
        with contextlib.suppress(Exception):
            client.close()
        raise TemporaryFailure(f"SMTP connection failed: {exc}") from exc


def _defaults(context: dict[str, Any]) -> dict[str, Any]:
    for key in ("title", "network", "headline", "report", "task", "due", "previous", "position"):
        context.setdefault(key, "")
    return context


def _always(change: Change[Delivery]) -> Callable[[Delivery], Change[Delivery]]:
    return lambda _: change


def _change(outcome: Outcome) -> Change[Delivery]:
    """The log line (its facts go out with the batch: see :meth:`DeliveryWorker._record`)."""
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


def _fact_fields(notice: Document) -> dict[str, Any]:
    return {
        "notification_id": notice["_id"],
        "recipient_id": notice["recipient_id"],
        "channel": Channel(notice["channel"]),
        "kind": notice["kind"],
        "source_event_id": notice["source_event_id"],
    }


def _facts(outcome: Outcome) -> list[Fact]:
    common = _fact_fields(outcome.notice)
    if outcome.status is Status.SENT:
        return [delivery_fact(common)]
    if outcome.status is Status.FAILED:
        return [delivery_fact(common, outcome.reason or "failed")]
    return []
