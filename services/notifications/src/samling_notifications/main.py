"""The notifications service: subscriptions, preferences and delivery.

Run with ``uvicorn --factory samling_notifications.main:create``.
"""

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from samling_contracts import topics
from samling_runtime.clock import Clock, SystemClock
from samling_runtime.kafka import FactSubscriptions
from samling_runtime.service import Runtime, RuntimeRef, ServiceSpec, create_app
from samling_runtime.store import AggregateStore

from samling_notifications.adapters.api import inbox, preferences, subscriptions, webhooks
from samling_notifications.adapters.delivery import DeliveryWorker
from samling_notifications.adapters.email import catalogue
from samling_notifications.adapters.scheduler import Scheduler
from samling_notifications.adapters.store.stores import open_stores
from samling_notifications.adapters.webhooks_out import WebhookWorker
from samling_notifications.container import Notifications, Started
from samling_notifications.handlers import table
from samling_notifications.settings import NotificationsSettings


def create(settings: NotificationsSettings | None = None, clock: Clock | None = None) -> FastAPI:
    chosen = settings or NotificationsSettings()
    started = Started()
    catalogue.load()  # the mails' words: missing or broken, the service does not start

    async def setup(runtime: Runtime) -> Sequence[AggregateStore[Any]]:
        stores = await open_stores(runtime)
        delivery = DeliveryWorker(runtime, stores, chosen)
        hooks = WebhookWorker(runtime, stores, chosen)
        scheduler = Scheduler(runtime, stores, chosen, delivery)
        await delivery.start()
        started.set(Notifications(runtime, chosen, stores, delivery, hooks, scheduler))
        runtime.background(delivery.run(), "email-delivery")
        runtime.background(hooks.run(), "webhook-delivery")
        runtime.background(scheduler.run(), "scheduler")
        return stores.all()

    def fact_handlers(_: RuntimeRef) -> FactSubscriptions:
        return table.subscriptions(started.context)

    app = create_app(
        ServiceSpec(
            name="notifications",
            title="Samling notifications service",
            description="Subscriptions, preferences, e-mail, webhooks and the in-app inbox. "
            "Every person gets one notice per fact and channel, in their language.",
            settings=chosen,
            routers=[inbox.router, preferences.router, subscriptions.router, webhooks.router],
            subscriptions=fact_handlers,
            publishes=[topics.DELIVERIES, topics.WEBHOOKS],
            setup=setup,
            clock=clock or SystemClock(),
        )
    )
    app.state.notifications = started
    return app
