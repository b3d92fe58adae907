"""Every fact the events service consumes and its handler, in one table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from samling_contracts import CloudEvent, Fact
from samling_contracts import network as about_networks
from samling_runtime.kafka import FactSubscriptions
from samling_runtime.service import RuntimeRef

from samling_events.adapters.store.network_views import NetworkViews
from samling_events.handlers import networks

Handler = Callable[[NetworkViews, Any, CloudEvent], Awaitable[None]]

TABLE: tuple[tuple[tuple[type[Fact], ...], Handler], ...] = (
    # samling.network.networks
    ((about_networks.NetworkCreated,), networks.network_created),
    ((about_networks.NetworkArchived,), networks.network_archived),
    (
        (about_networks.MunicipalityJoinedNetwork, about_networks.MunicipalityLeftNetwork),
        networks.membership,
    ),
    # samling.network.municipalities
    ((about_networks.MunicipalityRegistered,), networks.municipality),
    ((about_networks.MunicipalityEmailDomainsChanged,), networks.email_domains),
)


def network_subscriptions(runtime: RuntimeRef) -> FactSubscriptions:
    """The table as Kafka subscriptions; the store is asked per fact (it exists only once the
    service has started)."""
    subscriptions = FactSubscriptions()
    for facts, handle in TABLE:
        subscriptions.on(*facts)(_bound(runtime, handle))
    return subscriptions


def _bound(runtime: RuntimeRef, handle: Handler) -> Callable[[Any, CloudEvent], Awaitable[None]]:
    async def handler(fact: Any, event: CloudEvent) -> None:
        await handle(NetworkViews.of(runtime().mongo.db), fact, event)

    handler.__name__ = handle.__name__
    return handler
