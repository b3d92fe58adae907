"""Where the fact handlers were: kept for code outside this service that still imports them
(the web app's tests and the benchmarks list the consumed topics with ``subscriptions``).
The handlers are in :mod:`samling_notifications.handlers`, one module per topic."""

from __future__ import annotations

from samling_runtime.kafka import FactSubscriptions
from samling_runtime.service import RuntimeRef

from samling_notifications.adapters.store.notices import event_params
from samling_notifications.handlers import table
from samling_notifications.handlers.context import Context

__all__ = ["event_params", "subscriptions"]


def subscriptions(runtime_ref: RuntimeRef) -> FactSubscriptions:
    """The service's subscriptions, to list their topics (``.topics``); handling a fact
    needs the running service: :func:`samling_notifications.main.create` wires that."""
    return table.subscriptions(_not_running)


def _not_running() -> Context:
    raise RuntimeError("facts are handled by the service made by samling_notifications.main")
