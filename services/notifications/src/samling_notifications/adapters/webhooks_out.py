"""Webhooks out: one delivery per (endpoint, fact), signed per Standard Webhooks.

The delivery's id is the ``webhook-id`` on every attempt (receivers deduplicate on it).
Failures are retried with exponential backoff and jitter over hours; ``410 Gone`` disables
the endpoint at once, and so does running out of attempts — both publish
WebhookEndpointDisabled (through the outbox) so the owner hears of it. Every final outcome
publishes NotificationSent or NotificationFailed (channel ``webhook``, the endpoint as
recipient), a replay's outcome too.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import random
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import httpx
from pymongo import ASCENDING
from samling_contracts import CloudEvent, Fact
from samling_contracts.vocabulary import Channel
from samling_runtime.mongo import Document, find_by_ids, insert_new
from samling_runtime.store import AlreadyExists
from standardwebhooks import Webhook

from samling_notifications.adapters.store.stores import Stores, delivery_fact
from samling_notifications.adapters.webhook_http import (
    Resolver,
    checked_addresses,
    system_resolver,
    webhook_client,
)
from samling_notifications.adapters.worker import Worker
from samling_notifications.domain.audience import WebhookAudience
from samling_notifications.domain.notices import retry_delay
from samling_notifications.domain.visibility import EndpointOwner, may_receive
from samling_notifications.domain.webhooks import (
    MAX_ATTEMPTS,
    TargetPolicy,
    UnsafeTarget,
    check_url_shape,
    disable,
    signing_secrets,
)

log = logging.getLogger(__name__)


def delivery_id(endpoint_id: str, event_id: str) -> str:
    return f"msg_{endpoint_id}_{event_id}"


async def check_target(
    url: str, policy: TargetPolicy, resolver: Resolver = system_resolver
) -> None:
    """SSRF guard at registration: the URL's shape, and every address its host resolves to.
    Each call resolves and checks again (see webhook_http), so a later answer cannot slip by."""
    host = check_url_shape(url, policy)
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    await checked_addresses(host, port, policy, resolver)


async def endpoint_owners(
    stores: Stores, endpoints: list[Document]
) -> dict[tuple[str, str], EndpointOwner]:
    """The owners of these endpoints with their region and networks, from the read models."""
    owners: dict[tuple[str, str], EndpointOwner] = {}
    municipalities = {
        e["owner_id"] for e in endpoints if e.get("owner_type", "municipality") == "municipality"
    }
    for e in endpoints:
        if e.get("owner_type") == "system":
            owners[("system", e["owner_id"])] = EndpointOwner()
    if municipalities:
        known = await stores.network_views.as_owners(municipalities)
        owners.update({("municipality", m): owner for m, owner in known.items()})
    return owners


def new_secret() -> str:
    import secrets

    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookWorker(Worker):
    async def forward(self, event: CloudEvent, audience: WebhookAudience) -> int:
        """Queue this fact for every enabled endpoint that wants its type and whose owner may read
        it (see domain.visibility; keyed: redelivery-safe)."""
        stores = self.stores
        wanting = await stores.shared.endpoints.get(event.type)
        if not wanting:
            return 0
        fact = event.fact()
        owners = await endpoint_owners(stores, wanting)
        endpoints = [
            e
            for e in wanting
            if may_receive(
                owners[(e.get("owner_type", "municipality"), e["owner_id"])],
                fact,
                report=audience.report,
                taking_part=audience.taking_part,
            )
        ]
        if not endpoints:
            return 0
        now = self.runtime.clock.now()
        payload = event.to_json().decode()
        docs = [
            {
                "_id": delivery_id(e["_id"], event.id),
                "endpoint_id": e["_id"],
                "owner_id": e["owner_id"],
                "source_event_id": event.id,
                "event_type": event.type,
                "payload": payload,
                "created_at": now,
                "pending": True,
                "next_attempt_at": now,
                "attempts": 0,
                "status": "queued",
            }
            for e in endpoints
        ]
        await insert_new(stores.webhook_deliveries, docs)
        self.wake()
        return len(docs)

    async def run(self) -> None:
        async with webhook_client(
            self.settings.webhook_targets, self.settings.webhook_timeout_seconds
        ) as client:
            await self.rounds(
                lambda: self.deliver_once(client), self.settings.delivery_poll_seconds, "webhook"
            )

    async def deliver_once(self, client: httpx.AsyncClient) -> int:
        now = self.runtime.clock.now()
        due = [
            doc
            async for doc in self.stores.webhook_deliveries.find(
                {"pending": True, "next_attempt_at": {"$lte": now}},
                sort=[("next_attempt_at", ASCENDING)],
                limit=100,
            )
        ]
        endpoints = await find_by_ids(
            self.stores.endpoints.current, [d["endpoint_id"] for d in due]
        )
        await asyncio.gather(
            *(self._attempt(client, d, endpoints.get(d["endpoint_id"])) for d in due)
        )
        return len(due)

    async def _attempt(
        self, client: httpx.AsyncClient, delivery: Document, endpoint: Document | None
    ) -> None:
        now = self.runtime.clock.now()
        attempt = delivery["attempts"] + 1
        if endpoint is None or not endpoint.get("enabled"):
            await self._finish(delivery, attempt, "skipped", "the endpoint is disabled", now)
            return
        status_code, reason = await self.call(client, endpoint, delivery)
        if status_code is not None and 200 <= status_code < 300:
            await self._finish(delivery, attempt, "delivered", f"{status_code}", now)
        elif status_code == 410:
            await self._finish(delivery, attempt, "failed", "410 Gone", now)
            await self._disable(endpoint, "410 Gone: the receiver asked us to stop")
        elif attempt >= MAX_ATTEMPTS:
            await self._finish(delivery, attempt, "failed", reason, now)
            await self._disable(endpoint, f"no success after {attempt} attempts: {reason}")
        else:
            delay = retry_delay(
                attempt,
                base=self.settings.webhook_retry_base_seconds,
                cap=self.settings.webhook_retry_cap_seconds,
                jitter=random.random() * 0.3,
            )
            await self.stores.webhooks.set_delivery(
                delivery["_id"],
                {
                    "attempts": attempt,
                    "status": "retrying",
                    "next_attempt_at": now + delay,
                    "last_reason": reason,
                },
            )
            await self._log(delivery, attempt, "retrying", reason, now)

    async def call(
        self, client: httpx.AsyncClient, endpoint: Document, delivery: Document
    ) -> tuple[int | None, str]:
        try:
            check_url_shape(endpoint["url"], self.settings.webhook_targets)
        except UnsafeTarget as exc:
            return None, f"refused target: {exc}"
        body: str = delivery["payload"]
        timestamp = datetime.now(UTC)
        # One signature per secret in use, space-separated as Standard Webhooks allows: during
        # a rotation's overlap a receiver verifies with either secret.
        signature = " ".join(
            Webhook(secret).sign(delivery["_id"], timestamp, body)
            for secret in signing_secrets(endpoint, self.runtime.clock.now())
        )
        headers = {
            "content-type": "application/cloudevents+json",
            "webhook-id": delivery["_id"],
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": signature,
        }
        try:
            response = await client.post(endpoint["url"], content=body.encode(), headers=headers)
        except UnsafeTarget as exc:  # what the name resolves to now, checked when connecting
            return None, f"refused target: {exc}"
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"
        return response.status_code, f"{response.status_code} {response.reason_phrase}"

    async def _finish(
        self, delivery: Document, attempt: int, status: str, reason: str, now: datetime
    ) -> None:
        # The fact first: a crash before the delivery is marked final sends it again (same
        # webhook-id) and finds its fact recorded.
        with contextlib.suppress(AlreadyExists):
            await self.stores.record_outcomes(
                Channel.WEBHOOK,
                {delivery["_id"]: status},
                [outcome_fact(delivery, status, reason)],
                batch_id=f"wb_{delivery['_id']}_{delivery.get('replays', 0)}",
            )
        await self.stores.webhooks.set_delivery(
            delivery["_id"],
            {"pending": False, "attempts": attempt, "status": status, "last_reason": reason},
        )
        await self._log(delivery, attempt, status, reason, now)

    async def _log(
        self, delivery: Document, attempt: int, status: str, reason: str, now: datetime
    ) -> None:
        """One log document per attempt (keyed), never a $push on the delivery."""
        await self.stores.webhook_attempts.replace_one(
            {"_id": f"{delivery['_id']}:{attempt}:{delivery.get('replays', 0)}"},
            {
                "delivery_id": delivery["_id"],
                "endpoint_id": delivery["endpoint_id"],
                "attempt": attempt,
                "status": status,
                "reason": reason,
                "at": now,
            },
            upsert=True,
        )

    async def _disable(self, endpoint: Document, reason: str) -> None:
        now = self.runtime.clock.now()
        await self.stores.endpoints.update(endpoint["_id"], lambda e: disable(e, reason, now))


def outcome_fact(delivery: Document, status: str, reason: str) -> Fact:
    """NotificationSent or NotificationFailed (channel webhook) for a final outcome."""
    fields = {
        "notification_id": delivery["_id"],
        "recipient_id": delivery["endpoint_id"],
        "channel": Channel.WEBHOOK,
        "kind": delivery["event_type"],
        "source_event_id": delivery["source_event_id"],
    }
    return delivery_fact(fields, None if status == "delivered" else reason)


def replay_fields(now: datetime, delivery: Document) -> dict[str, Any]:
    """A manual replay: the same delivery (same webhook-id) goes out again."""
    return {
        "pending": True,
        "next_attempt_at": now,
        "attempts": 0,
        "status": "queued",
        "replays": delivery.get("replays", 0) + 1,
    }
