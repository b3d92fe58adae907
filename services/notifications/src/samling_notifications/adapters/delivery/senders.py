"""The senders: each takes jobs from the ledger's queue and sends them over its own SMTP
connection (several messages per connection); a mail in flight when the process stops
finishes and is recorded."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from email.utils import parseaddr

import aiosmtplib
from opentelemetry.trace import SpanKind
from samling_runtime.telemetry import continued

from samling_notifications.adapters.delivery.jobs import WAITING_FOR_FACTS, Job, Outcome
from samling_notifications.adapters.delivery.ledger import Ledger
from samling_notifications.adapters.delivery.recorder import Recorder
from samling_notifications.adapters.email.builder import MessageBuilder
from samling_notifications.adapters.email.smtp import (
    PermanentFailure,
    TemporaryFailure,
    classified,
    smtp_client,
)
from samling_notifications.adapters.store.notices import preferences_of
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.domain.notices import Status
from samling_notifications.settings import NotificationsSettings

log = logging.getLogger(__name__)


@dataclass
class Senders:
    stores: Stores
    settings: NotificationsSettings
    ledger: Ledger
    recorder: Recorder
    builder: MessageBuilder

    @property
    def _sender_address(self) -> str:
        """The envelope sender (``MAIL FROM``): the bare address of ``smtp_from``."""
        return parseaddr(self.settings.smtp_from)[1]

    async def sender(self) -> None:
        client = smtp_client(self.settings)
        try:
            while True:
                job = await self.ledger.jobs.get()
                await self.recorder.window.acquire()
                attempt = asyncio.ensure_future(self._attempt_safely(client, job))
                try:
                    outcome = await asyncio.shield(attempt)
                except asyncio.CancelledError:
                    # A graceful stop: the mail in flight finishes and is recorded. (wait()
                    # leaves the attempt running should this wait be cancelled too.)
                    await asyncio.wait([attempt], timeout=15)
                    if attempt.done() and not attempt.cancelled():
                        self.recorder.add(attempt.result(), wake=False)
                    raise
                self.recorder.add(outcome)
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
            if job.preferences_read:
                job.recipient = await self.stores.recipients.find_one({"_id": rid})
            else:  # a retry: the preferences may have changed meanwhile; both reads at once
                job.recipient, chosen = await asyncio.gather(
                    self.stores.recipients.find_one({"_id": rid}),
                    preferences_of(self.stores, [rid]),
                )
                prefs = chosen.get(rid)
                job.language = prefs.language if prefs else None
        event_id = notice["refs"].get("event_id")
        if event_id and job.event is None:
            job.event = await self.stores.shared.events.get(event_id)
        recipient, event = job.recipient, job.event
        if notice.get("erased") or (recipient is not None and recipient.get("erased")):
            return Outcome(job, Status.SKIPPED, "the recipient was erased")
        if recipient is None or not recipient.get("email"):
            if recipient is not None and not recipient.get("active", True):
                return Outcome(job, Status.SKIPPED, "no longer a recipient")
            return Outcome(job, Status.RETRYING, WAITING_FOR_FACTS[0])
        if event_id and (event is None or not event.get("title")):
            return Outcome(job, Status.RETRYING, WAITING_FOR_FACTS[1])
        message = await self.builder.message(notice, recipient, event, job.language)
        try:
            await _send(client, self._sender_address, recipient["email"], message)
        except PermanentFailure as exc:
            return Outcome(job, Status.FAILED, str(exc))
        except TemporaryFailure as exc:
            return Outcome(job, Status.RETRYING, str(exc))
        return Outcome(job, Status.SENT)


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
