"""The network service: regions, municipalities, networks, memberships, experience reports.

Run with ``uvicorn --factory samling_network.main:create``.
"""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from samling_contracts import topics
from samling_runtime.clock import Clock, SystemClock
from samling_runtime.service import Runtime, ServiceSpec, create_app
from samling_runtime.started import Started
from samling_runtime.store import AggregateStore

from samling_network.adapters.api import (
    announcements,
    memberships,
    municipalities,
    networks,
    regions,
    report_reading,
    reports,
)
from samling_network.adapters.store.retention import contacts_retention_step
from samling_network.adapters.store.stores import open_stores
from samling_network.container import NetworkService
from samling_network.settings import NetworkSettings


def create(settings: NetworkSettings | None = None, clock: Clock | None = None) -> FastAPI:
    chosen = settings or NetworkSettings()
    started: Started[NetworkService] = Started("network")

    async def setup(runtime: Runtime) -> Sequence[AggregateStore[Any]]:
        stores = await open_stores(runtime)
        retention = timedelta(days=chosen.superseded_contacts_retention_days)
        runtime.retention.add(
            "superseded-contacts", contacts_retention_step(stores.municipalities, retention)
        )
        started.set(NetworkService(runtime, chosen, stores))
        return stores.all()

    app = create_app(
        ServiceSpec(
            name="network",
            title="Samling network service",
            description="Regions, municipalities, learning networks, memberships, "
            "announcements and experience reports. Every request needs a bearer token "
            "(`uv run samling token coordinator` locally).",
            settings=chosen,
            routers=[
                regions.router,
                municipalities.router,
                networks.router,
                memberships.router,
                announcements.router,
                reports.router,
                report_reading.router,
            ],
            publishes=[
                topics.NETWORKS,
                topics.MUNICIPALITIES,
                topics.CONTACTS_RESTRICTED,
                topics.REPORTS,
            ],
            setup=setup,
            clock=clock or SystemClock(),
        )
    )
    app.state.network = started
    return app
