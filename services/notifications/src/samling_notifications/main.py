"""The notifications service: subscriptions, preferences and delivery.

Run with ``uvicorn --factory samling_notifications.main:create``.
"""

from fastapi import FastAPI
from samling_contracts import topics
from samling_runtime.clock import Clock, SystemClock
from samling_runtime.service import ServiceSpec, create_app

from samling_notifications.settings import NotificationsSettings


def create(settings: NotificationsSettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_app(
        ServiceSpec(
            name="notifications",
            title="Samling notifications service",
            description="Subscriptions, preferences, e-mail, webhooks and the in-app inbox.",
            settings=settings or NotificationsSettings(),
            publishes=[topics.DELIVERIES, topics.WEBHOOKS],
            clock=clock or SystemClock(),
        )
    )
