"""The network service's repositories, one per aggregate, each declaring its collection and
its indexes; routes reach the store only through their named methods."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from samling_runtime.service import Runtime
from samling_runtime.store import AggregateStore

from samling_network.adapters.store.announcements import Announcements
from samling_network.adapters.store.memberships import Memberships
from samling_network.adapters.store.municipalities import Municipalities
from samling_network.adapters.store.networks import Networks
from samling_network.adapters.store.regions import Regions
from samling_network.adapters.store.report_queries import REPORT_TIMELINE, REPORT_WEEK_TIMELINE
from samling_network.adapters.store.reports import Reports

__all__ = ["REPORT_TIMELINE", "REPORT_WEEK_TIMELINE", "Stores", "open_stores"]


@dataclass(frozen=True)
class Stores:
    regions: Regions
    municipalities: Municipalities
    networks: Networks
    memberships: Memberships
    announcements: Announcements
    reports: Reports

    def all(self) -> list[AggregateStore[Any]]:
        """The aggregate stores under the repositories (the runtime's relay reads their
        outboxes)."""
        return [
            self.regions.store,
            self.municipalities.store,
            self.networks.store,
            self.memberships.store,
            self.announcements.store,
            self.reports.store,
        ]


async def open_stores(runtime: Runtime) -> Stores:
    """Each repository opens its collection and makes sure of its indexes."""
    return Stores(
        regions=await Regions.open(runtime),
        municipalities=await Municipalities.open(runtime),
        networks=await Networks.open(runtime),
        memberships=await Memberships.open(runtime),
        announcements=await Announcements.open(runtime),
        reports=await Reports.open(runtime),
    )
