"""The network service's Mongo collections."""

from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, IndexModel
from samling_runtime.service import Runtime
from samling_runtime.store import AggregateStore

from samling_network.domain.networks import Network


@dataclass
class Stores:
    networks: AggregateStore[Network]

    def all(self) -> list[AggregateStore[Any]]:
        return [self.networks]


async def open_stores(runtime: Runtime) -> Stores:
    stores = Stores(networks=runtime.store("networks", Network))
    await stores.networks.ensure_indexes(
        IndexModel([("region_id", ASCENDING), ("name", ASCENDING)])
    )
    runtime.state["stores"] = stores
    return stores
