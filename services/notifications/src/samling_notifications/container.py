"""The notifications service's parts, built once in :mod:`samling_notifications.main` and
handed on typed: to the fact handlers as their :class:`Context`, to routes through one
``Annotated`` dependency."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from samling_runtime.service import Runtime
from samling_runtime.started import Started as BaseStarted

from samling_notifications.adapters.delivery import DeliveryWorker
from samling_notifications.adapters.scheduler import Scheduler
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.adapters.webhooks_out import WebhookWorker
from samling_notifications.handlers.context import Context
from samling_notifications.settings import NotificationsSettings


@dataclass(frozen=True)
class Notifications:
    runtime: Runtime
    settings: NotificationsSettings
    stores: Stores
    delivery: DeliveryWorker
    webhooks: WebhookWorker
    scheduler: Scheduler

    def handler_context(self) -> Context:
        return Context(
            stores=self.stores,
            notices=self.delivery,
            clock=self.runtime.clock,
            forward=self.webhooks.forward,
            app_url=self.settings.app_url,
        )


class Started(BaseStarted[Notifications]):
    """The parts, and the fact handlers' context made from them once (subscriptions are
    attached before start-up and ask for it per fact)."""

    def __init__(self) -> None:
        super().__init__("notifications")
        self._context: Context | None = None

    def set(self, built: Notifications) -> None:
        super().set(built)
        self._context = built.handler_context()

    def context(self) -> Context:
        if self._context is None:
            raise RuntimeError("the notifications service has not started")
        return self._context


def started_in(app: FastAPI) -> Started:
    """The container of the app :func:`samling_notifications.main.create` made."""
    started: Started = app.state.notifications
    return started
