"""The e-mail delivery worker: claim, render, send, record — with the delivery log as revisions.

1. Notices waiting to go (``pending``) are *claimed* per attempt by inserting
   ``delivery_claims/<notification>:<attempt>`` (a unique ``_id``): of two workers only one sends.
2. The claimed notices are rendered and sent over a few reused SMTP connections at once.
3. Each outcome is the next revision of the notification's ``deliveries`` aggregate (the log
   line, with NotificationSent/Failed as its fact for the outbox), then the notice stops pending.

A process that dies between 2 and 3 leaves a claim without an outcome; once the claim is older
than ``delivery_lease_seconds`` the notice is retried (logged as ``retried``). SMTP cannot tell
us whether that mail arrived, so this is the one at-least-once window: at most
``delivery_record_every`` mails (sent, outcome not yet written) can go out twice after a crash.
The Message-ID stays the notification id, so mail clients show one message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, UpdateOne
from pymongo.errors import BulkWriteError
from samling_contracts.notifications import NotificationFailed, NotificationSent
from samling_contracts.vocabulary import Channel
from samling_runtime.mongo import Document
from samling_runtime.service import Runtime
from samling_runtime.store import AlreadyExists, Change

from samling_notifications.adapters.email.compose import email_message, render_notice
from samling_notifications.adapters.email.render import render, resolved_language
from samling_notifications.adapters.email.smtp import PermanentFailure, SmtpPool, TemporaryFailure
from samling_notifications.adapters.store.notices import preferences_of
from samling_notifications.adapters.store.stores import Delivery, Stores
from samling_notifications.adapters.worker import Worker
from samling_notifications.domain.calendar import event_ics
from samling_notifications.domain.links import sign_recipient
from samling_notifications.domain.notices import Kind, Preferences, Status, retry_delay

log = logging.getLogger(__name__)
ADDRESS_WAIT = timedelta(seconds=5)
"""An address (or event) not known yet is looked for again this soon: the fact carrying it
travels on another topic and may simply arrive later."""


@dataclass
class Outcome:
    notice: Document
    attempt: int
    status: Status
    reason: str | None = None


@dataclass
class Batch:
    """What a round looked up once for all the notices it sends."""

    recipients: dict[str, Document]
    preferences: dict[str, Preferences]
    events: dict[str, Document]
    now: datetime


class DeliveryWorker(Worker):
    def __init__(self, runtime: Runtime, stores: Stores) -> None:
        super().__init__(runtime, stores)
        self.pool = SmtpPool(self.settings)
        self._ics: dict[tuple[str, int, bool], bytes] = {}
        self.sent = 0

    async def run(self) -> None:
        try:
            await self.rounds(self.deliver_once, self.settings.delivery_poll_seconds, "delivery")
        finally:
            await self.pool.close()

    # -- one round ---------------------------------------------------------------------------
    async def deliver_once(self) -> int:
        now = self.runtime.clock.now()
        cursor = self.stores.notifications.find(
            {"pending": True, "next_attempt_at": {"$lte": now}},
            sort=[("next_attempt_at", ASCENDING)],
            limit=self.settings.delivery_batch,
        )
        candidates = [doc async for doc in cursor]
        if not candidates:
            return 0
        claimed = await self._claim(candidates)
        if not claimed:
            return 0
        step = max(1, self.settings.delivery_record_every)
        for start in range(0, len(claimed), step):
            chunk = claimed[start : start + step]
            done = asyncio.ensure_future(self._send_and_record(chunk, now))
            try:
                await asyncio.shield(done)
            except asyncio.CancelledError:
                # A graceful stop lets the mails in flight finish and be recorded, so a
                # restart does not send them again; only a crash leaves that window open.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(done, timeout=15)
                raise
        return len(claimed)

    async def _send_and_record(self, chunk: list[tuple[Document, int]], now: datetime) -> None:
        await self._record(await self._send_all(chunk, now), now)

    async def _claim(self, candidates: list[Document]) -> list[tuple[Document, int]]:
        wall = datetime.now(UTC)
        claims = [
            {
                "_id": f"{doc['_id']}:{doc.get('attempts', 0) + 1}",
                "notification_id": doc["_id"],
                "attempt": doc.get("attempts", 0) + 1,
                "claimed_at": wall,
            }
            for doc in candidates
        ]
        lost: set[int] = set()
        try:
            await self.stores.delivery_claims.insert_many(claims, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != 11000 for e in errors):
                raise
            lost = {e["index"] for e in errors}
        if lost:
            await self._recover_stale([claims[i] for i in lost], wall)
        return [(doc, claims[i]["attempt"]) for i, doc in enumerate(candidates) if i not in lost]

    async def _recover_stale(self, claims: list[Document], wall: datetime) -> None:
        """Claims held by a process that died: count that attempt as made and retry."""
        cutoff = wall - timedelta(seconds=self.settings.delivery_lease_seconds)
        stale = self.stores.delivery_claims.find(
            {"_id": {"$in": [c["_id"] for c in claims]}, "claimed_at": {"$lt": cutoff}}
        )
        async for claim in stale:
            notice = await self.stores.notifications.find_one({"_id": claim["notification_id"]})
            if notice is None:
                continue
            await self.stores.notifications.update_one(
                {"_id": notice["_id"]}, {"$set": {"attempts": claim["attempt"]}}
            )
            await self._log(
                notice,
                Outcome(notice, claim["attempt"], Status.RETRYING, "the sending process stopped"),
            )

    async def _send_all(self, claimed: list[tuple[Document, int]], now: datetime) -> list[Outcome]:
        notices = [doc for doc, _ in claimed]
        event_ids = {d["refs"].get("event_id") for d in notices} - {None}
        batch = Batch(
            recipients=await self._by_id(
                self.stores.recipients, {d["recipient_id"] for d in notices}
            ),
            preferences=await preferences_of(self.stores, (d["recipient_id"] for d in notices)),
            events=await self._by_id(self.stores.events, event_ids),
            now=now,
        )
        return list(await asyncio.gather(*(self._send_one(d, a, batch) for d, a in claimed)))

    async def _send_one(self, notice: Document, attempt: int, batch: Batch) -> Outcome:
        try:
            return await self._try_send(notice, attempt, batch)
        except Exception as exc:  # a bug with one notice must not hold up the others
            log.exception("could not send notification %s", notice["_id"])
            return Outcome(notice, attempt, Status.RETRYING, f"{type(exc).__name__}: {exc}")

    async def _try_send(self, notice: Document, attempt: int, batch: Batch) -> Outcome:
        recipient = batch.recipients.get(notice["recipient_id"])
        now = batch.now
        if notice.get("erased") or (recipient is not None and recipient.get("erased")):
            return Outcome(notice, attempt, Status.SKIPPED, "the recipient was erased")
        if recipient is None or not recipient.get("email"):
            if recipient is not None and not recipient.get("active", True):
                return Outcome(notice, attempt, Status.SKIPPED, "no longer a recipient")
            return Outcome(notice, attempt, Status.RETRYING, "no e-mail address known yet")
        kind = Kind(notice["kind"])
        event_id = notice["refs"].get("event_id")
        event = batch.events.get(event_id) if event_id else None
        if event_id and (event is None or not event.get("title")):
            return Outcome(notice, attempt, Status.RETRYING, "event details not known yet")
        chosen = batch.preferences.get(notice["recipient_id"])
        language = resolved_language(
            (chosen.language if chosen else None) or recipient.get("language")
        )
        unsubscribe = None if kind.about_own_registration else self._unsubscribe_url(notice)
        ics = self._calendar(event, now) if kind.attaches_calendar and event else None
        items = await self._digest_items(notice, language) if kind is Kind.DIGEST else None
        rendered = render_notice(
            notice,
            recipient=recipient,
            language=language,
            links={**self._links(event_id), "preferences_url": unsubscribe},
            has_calendar=ics is not None,
            items=items,
        )
        message = email_message(
            notice,
            rendered,
            sender=self.settings.smtp_from,
            to_name=recipient.get("name"),
            to_address=recipient["email"],
            now=now,
            unsubscribe_url=unsubscribe,
            ics=ics,
        )
        try:
            await self.pool.send(message)
        except PermanentFailure as exc:
            return Outcome(notice, attempt, Status.FAILED, str(exc))
        except TemporaryFailure as exc:
            return Outcome(notice, attempt, Status.RETRYING, str(exc))
        return Outcome(notice, attempt, Status.SENT)

    def _links(self, event_id: str | None) -> dict[str, str | None]:
        if not event_id:
            return {"evaluation_url": None, "report_url": None}
        base = self.settings.app_url.rstrip("/")
        return {
            "evaluation_url": base
            + self.settings.followup_evaluation_path.format(event_id=event_id),
            "report_url": base + self.settings.followup_report_path.format(event_id=event_id),
        }

    def _unsubscribe_url(self, notice: Document) -> str:
        token = sign_recipient(notice["recipient_id"], self.settings.link_secret.get_secret_value())
        return f"{self.settings.public_url.rstrip('/')}/unsubscribe?token={token}"

    def _calendar(self, event: Document, now: datetime) -> bytes:
        key = (event["_id"], int(event.get("sequence", 0)), bool(event.get("cancelled")))
        if key not in self._ics:
            self._ics[key] = event_ics(
                event_id=event["_id"],
                title=event["title"],
                starts_at=event["starts_at"],
                ends_at=event["ends_at"],
                sequence=key[1],
                stamp=now,
                venue=event.get("venue"),
                online_url=event.get("online_url"),
                cancelled=key[2],
            )
        return self._ics[key]

    async def _digest_items(self, notice: Document, language: str) -> list[str]:
        ids = notice["params"].get("item_ids", [])
        lines = []
        async for item in self.stores.notifications.find({"_id": {"$in": ids}}):
            context = {"items": [], **(item.get("params") or {})}
            context.setdefault("report", item.get("params", {}).get("report", ""))
            lines.append(render(item["kind"], language, _defaults(context)).subject)
        return lines

    async def _by_id(self, collection: Any, ids: set[str]) -> dict[str, Document]:
        if not ids:
            return {}
        return {doc["_id"]: doc async for doc in collection.find({"_id": {"$in": list(ids)}})}

    # -- recording outcomes --------------------------------------------------------------------
    async def _record(self, outcomes: list[Outcome], now: datetime) -> None:
        final_failures: list[Outcome] = []
        for outcome in outcomes:
            if (
                outcome.status is Status.RETRYING
                and outcome.attempt >= self.settings.email_max_attempts
            ):
                outcome.status = Status.FAILED
                final_failures.append(outcome)
        fresh = [(o.notice["_id"], _change(o)) for o in outcomes]
        existed = set(await self.stores.deliveries.create_many(fresh))
        for outcome in outcomes:
            if outcome.notice["_id"] in existed:
                await self._log(outcome.notice, outcome)
        done = {
            status: [o.notice["_id"] for o in outcomes if o.status is status]
            for status in (Status.SENT, Status.FAILED, Status.SKIPPED)
        }
        # One UpdateOne per notice by _id in one round trip (an update_many with $in makes
        # FerretDB scan the whole collection).
        updates = [
            UpdateOne({"_id": nid}, {"$set": {"pending": False, "status": str(status)}})
            for status, ids in done.items()
            for nid in ids
        ]
        if updates:
            await self.stores.notifications.bulk_write(updates, ordered=False)
        for outcome in outcomes:
            if outcome.status is Status.RETRYING:
                await self.stores.notifications.update_one(
                    {"_id": outcome.notice["_id"]},
                    {
                        "$set": {
                            "attempts": outcome.attempt,
                            "status": str(Status.RETRYING),
                            "next_attempt_at": now + self._retry_delay(outcome),
                        }
                    },
                )
        self.sent += len(done[Status.SENT])

    def _retry_delay(self, outcome: Outcome) -> timedelta:
        if outcome.reason in ("no e-mail address known yet", "event details not known yet"):
            return ADDRESS_WAIT
        return retry_delay(
            outcome.attempt,
            base=self.settings.email_retry_base_seconds,
            cap=6 * 3600,
            jitter=random.random() * 0.2,
        )

    async def _log(self, notice: Document, outcome: Outcome) -> None:
        try:
            await self.stores.deliveries.create(notice["_id"], _change(outcome))
        except AlreadyExists:
            await self.stores.deliveries.update(notice["_id"], lambda _: _change(outcome))


def _defaults(context: dict[str, Any]) -> dict[str, Any]:
    for key in ("title", "network", "headline", "report", "task", "due", "previous", "position"):
        context.setdefault(key, "")
    return context


def _change(outcome: Outcome) -> Change[Delivery]:
    notice = outcome.notice
    state = Delivery(
        notification_id=notice["_id"],
        recipient_id=notice["recipient_id"],
        channel=notice["channel"],
        kind=notice["kind"],
        source_event_id=notice["source_event_id"],
        status=outcome.status,
        attempt=outcome.attempt,
        reason=outcome.reason,
    )
    common = {
        "notification_id": notice["_id"],
        "recipient_id": notice["recipient_id"],
        "channel": Channel(notice["channel"]),
        "kind": notice["kind"],
        "source_event_id": notice["source_event_id"],
    }
    if outcome.status is Status.SENT:
        return Change(state, [NotificationSent(**common)])
    if outcome.status is Status.FAILED:
        return Change(state, [NotificationFailed(**common, reason=outcome.reason or "failed")])
    return Change(state)
