"""The network service: regions, municipalities, networks, memberships, experience reports.

Run with ``uvicorn --factory samling_network.main:create``.
"""

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from samling_contracts import topics
from samling_runtime.clock import Clock, SystemClock
from samling_runtime.service import Runtime, ServiceSpec, create_app
from samling_runtime.store import AggregateStore

from samling_network.adapters.api import networks
from samling_network.adapters.store.stores import open_stores
from samling_network.settings import NetworkSettings


async def setup(runtime: Runtime) -> Sequence[AggregateStore[Any]]:
    stores = await open_stores(runtime)
    return stores.all()


def create(settings: NetworkSettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_app(
        ServiceSpec(
            name="network",
            title="Samling network service",
            description="Regions, municipalities, learning networks, memberships and "
            "experience reports.",
            settings=settings or NetworkSettings(),
            routers=[networks.router],
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
