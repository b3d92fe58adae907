"""What a fact handler is given: the stores, the notice intake, the clock, and how a fact is
forwarded to webhooks. Handlers take it as their first argument, so a test hands them one
built on fakes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol

from samling_contracts import CloudEvent
from samling_runtime.clock import Clock

from samling_notifications.adapters.store.stores import Stores
from samling_notifications.domain.audience import WebhookAudience
from samling_notifications.domain.notices import Draft, Kind, Recipient


class Notices(Protocol):
    """Where notices go (:class:`samling_notifications.adapters.delivery.DeliveryWorker`)."""

    async def queue(self, draft: Draft) -> int: ...

    def facts_arrived(
        self, *, recipients: Collection[str] = (), events: Collection[str] = ()
    ) -> int: ...


Forward = Callable[[CloudEvent, WebhookAudience], Awaitable[int]]
"""Queue a fact for the webhook endpoints whose owners may see it."""


@dataclass(frozen=True)
class Context:
    stores: Stores
    notices: Notices
    clock: Clock
    forward: Forward
    app_url: str
    """The web app's address, for links to its pages."""

    async def notify(
        self,
        kind: Kind,
        source_event_id: str,
        recipients: list[Recipient],
        refs: dict[str, str],
        params: dict[str, Any] | None = None,
    ) -> int:
        """Queue one notice per recipient; ``source_event_id`` with ``kind`` keys them, so
        a redelivered fact queues none twice."""
        draft = Draft(
            kind=kind,
            source_event_id=source_event_id,
            recipients=recipients,
            refs=refs,
            params=params or {},
        )
        return await self.notices.queue(draft)
