"""Fixtures for the notifications service against the real Kafka, FerretDB and SMTP sink."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from samling_devtools.mailpit import Mailpit
from samling_devtools.testing import start_at_end
from samling_notifications.handlers.table import consumed_topics
from samling_notifications.settings import NotificationsSettings

SUBSCRIBED = [t.name for t in consumed_topics()]


@pytest.fixture
def notifications_settings(
    settings_for: Callable[..., Any], mailbox: Mailpit
) -> Callable[..., Awaitable[NotificationsSettings]]:
    async def make(**overrides: Any) -> NotificationsSettings:
        values: dict[str, Any] = {
            "smtp_host": mailbox.host,
            "smtp_port": mailbox.port,
            "delivery_poll_seconds": 0.1,
            "scheduler_poll_seconds": 0.1,
            "delivery_lease_seconds": 1.0,
            "email_retry_base_seconds": 1.0,
            "webhook_allow_private": True,
            "webhook_retry_base_seconds": 0.2,
            "webhook_retry_cap_seconds": 0.5,
            **overrides,
        }
        settings: NotificationsSettings = settings_for(NotificationsSettings, **values)
        assert settings.consumer_group is not None
        await start_at_end(settings.kafka_bootstrap, settings.consumer_group, SUBSCRIBED)
        return settings

    return make
