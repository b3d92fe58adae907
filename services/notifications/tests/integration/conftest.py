"""Fixtures for the notifications service against the real Kafka, FerretDB and SMTP sink."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition
from samling_devtools.smtp_sink import SmtpSink
from samling_notifications.adapters.kafka.handlers import subscriptions
from samling_notifications.settings import NotificationsSettings

SUBSCRIBED = [t.name for t in subscriptions(lambda: None).topics]  # type: ignore[arg-type, return-value]


async def start_at_end(bootstrap: str, group: str) -> None:
    """Commit the group's offsets at the end of every topic the service reads, so a test's
    service sees only the facts that test publishes (not every earlier test's)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in SUBSCRIBED
            for p in consumer.partitions_for_topic(topic) or []
        ]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [
                TopicPartition(topic, p)
                for topic in SUBSCRIBED
                for p in consumer.partitions_for_topic(topic) or []
            ]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.commit(dict(ends))
    finally:
        await consumer.stop()


@pytest.fixture
def notifications_settings(
    settings_for: Callable[..., Any], smtp_sink: SmtpSink
) -> Callable[..., Awaitable[NotificationsSettings]]:
    async def make(**overrides: Any) -> NotificationsSettings:
        values: dict[str, Any] = {
            "smtp_host": smtp_sink.host,
            "smtp_port": smtp_sink.port,
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
        await start_at_end(settings.kafka_bootstrap, settings.consumer_group)
        return settings

    return make
