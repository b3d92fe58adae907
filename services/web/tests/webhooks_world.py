"""A signed-in Samling with the notifications service, for the webhook pages' tests: the three
services trusting the development OpenID Connect provider's keys only, the notifications
service allowed to call a receiver on this machine (with short retries), the web app on a real
port, and a receiver the tests run on 127.0.0.1 that records every call and answers what the
test tells it to. Seeded as the workspace's world (Bodø and Fauske in a network, two events).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from samling_devtools.infra import Stack
from samling_devtools.mailpit import Mailpit
from samling_devtools.oidc import OidcServer
from samling_devtools.testing import RunningService, running, unique
from samling_devtools.webhook_receiver import WebhookReceiver
from samling_events.main import create as create_events
from samling_network.main import create as create_network
from samling_network.settings import NetworkSettings
from samling_notifications.main import create as create_notifications

from services.web.tests.browser.test_browser import serving
from services.web.tests.conftest import (
    _notifications_settings,
    fresh_events_settings,
    settings,
)
from services.web.tests.signing_in import SignsIn
from services.web.tests.workspace_world import _event, _seed, signing_in_site

SCHEDULED = "no.samling.events.event.scheduled.v1"


@dataclass
class Hooked(SignsIn):
    provider: OidcServer
    events: RunningService
    notifications: RunningService
    web: RunningService
    site: str
    network_id: str
    receiver: WebhookReceiver
    receiver_url: str

    async def schedule(self, title: str) -> str:
        """A published event: its EventScheduled fact goes to every endpoint that wants it."""
        coordinator = self.token("koordinator")
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
        return await _event(self.events, coordinator, network_id=self.network_id, title=title,
                            starts_at=starts.isoformat(),
                            ends_at=(starts + timedelta(hours=3)).isoformat(), capacity=10)  # fmt: skip


@pytest.fixture(scope="module")
async def hooked(
    stack: Stack, topics: str, mailbox: Mailpit, oidc_provider: OidcServer
) -> AsyncIterator[Hooked]:
    run = unique("wh").replace("-", "_")
    trust: dict[str, Any] = {
        "jwt_jwks_url": oidc_provider.jwks_url,
        "jwt_issuer": oidc_provider.issuer,
    }
    notifications_settings = (await _notifications_settings(stack, run, mailbox)).model_copy(
        update={
            **trust,
            "webhook_allow_private": True,
            "webhook_retry_base_seconds": 0.2,
            "webhook_retry_cap_seconds": 0.5,
        }
    )
    receiver = WebhookReceiver()
    async with (
        running(create_network(settings(NetworkSettings, stack, run, **trust))) as network,
        running(create_events(await fresh_events_settings(stack, run, **trust))) as events,
        running(create_notifications(notifications_settings)) as notifications,
        serving(receiver.app) as receiver_base,
    ):
        network_id, _, _ = await _seed(oidc_provider, network, events)
        services = {"network": network, "events": events, "notifications": notifications}
        async with signing_in_site(stack, run, oidc_provider, services) as (web, site):
            yield Hooked(
                oidc_provider, events, notifications, web, site, network_id, receiver,
                f"{receiver_base}/hook",
            )  # fmt: skip
