"""The network service's Mongo collections, their indexes and the queries over them."""

import re
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from samling_contracts.vocabulary import Visibility
from samling_runtime.mongo import Document
from samling_runtime.service import Runtime
from samling_runtime.store import AggregateStore

from samling_network.domain.access import ReaderScope
from samling_network.domain.announcements import Announcement
from samling_network.domain.memberships import Membership
from samling_network.domain.municipalities import Municipality
from samling_network.domain.networks import Network
from samling_network.domain.regions import Region
from samling_network.domain.reports import Report, ReportStatus


@dataclass
class Stores:
    regions: AggregateStore[Region]
    municipalities: AggregateStore[Municipality]
    networks: AggregateStore[Network]
    memberships: AggregateStore[Membership]
    announcements: AggregateStore[Announcement]
    reports: AggregateStore[Report]

    def all(self) -> list[AggregateStore[Any]]:
        return [
            self.regions,
            self.municipalities,
            self.networks,
            self.memberships,
            self.announcements,
            self.reports,
        ]

    # -- memberships -----------------------------------------------------------------------
    async def latest_membership(self, network_id: str, municipality_id: str) -> Membership | None:
        doc = await self.memberships.current.find_one(
            {"network_id": network_id, "municipality_id": municipality_id},
            sort=[("sequence", DESCENDING)],
        )
        return self.memberships.from_current(doc) if doc else None

    async def member_networks(self, municipality_id: str) -> frozenset[str]:
        cursor = self.memberships.current.find(
            {"municipality_id": municipality_id, "active": True}, projection={"network_id": 1}
        )
        return frozenset([doc["network_id"] async for doc in cursor])

    # -- reports ---------------------------------------------------------------------------
    async def reader_scope_for_admin(self, municipality_id: str) -> ReaderScope:
        municipality = await self.municipalities.current.find_one(
            {"_id": municipality_id}, projection={"region_id": 1}
        )
        return ReaderScope(
            own_municipality=municipality_id,
            region_id=municipality["region_id"] if municipality else None,
            network_ids=await self.member_networks(municipality_id),
        )


def readable_by(scope: ReaderScope) -> Document:
    """The filter of reports a reader may see: visibility enforced by the query itself."""
    published = ReportStatus.PUBLISHED.value
    ways: list[Document] = [{"status": published, "visibility": Visibility.PUBLIC.value}]
    if scope.own_municipality:
        ways.append({"municipality_id": scope.own_municipality})
    if scope.region_id:
        ways.append(
            {
                "status": published,
                "visibility": Visibility.REGION.value,
                "region_id": scope.region_id,
            }
        )
        if scope.all_networks_of_region:
            ways.append(
                {
                    "status": published,
                    "visibility": Visibility.NETWORK.value,
                    "region_id": scope.region_id,
                }
            )
    if scope.network_ids:
        ways.append(
            {
                "status": published,
                "visibility": Visibility.NETWORK.value,
                "network_ids": {"$in": sorted(scope.network_ids)},
            }
        )
    return {"$or": ways}


def text_filter(query: str) -> Document:
    """Case-insensitive search in title and body (FerretDB has no text index)."""
    return {"text": {"$regex": re.escape(query.strip()), "$options": "i"}}


async def open_stores(runtime: Runtime) -> Stores:
    stores = Stores(
        regions=runtime.store("regions", Region),
        municipalities=runtime.store("municipalities", Municipality),
        networks=runtime.store("networks", Network),
        memberships=runtime.store("memberships", Membership),
        announcements=runtime.store("announcements", Announcement),
        reports=runtime.store("reports", Report),
    )
    await stores.regions.ensure_indexes()
    await stores.municipalities.ensure_indexes(
        IndexModel([("region_id", ASCENDING), ("_id", ASCENDING)])
    )
    await stores.networks.ensure_indexes(
        IndexModel([("region_id", ASCENDING), ("name", ASCENDING)]),
        IndexModel([("archived", ASCENDING), ("_id", ASCENDING)]),
    )
    await stores.memberships.ensure_indexes(
        IndexModel([("network_id", ASCENDING), ("municipality_id", ASCENDING)]),
        IndexModel([("municipality_id", ASCENDING), ("active", ASCENDING)]),
    )
    await stores.announcements.ensure_indexes(
        IndexModel([("network_id", ASCENDING), ("posted_at", DESCENDING)])
    )
    await stores.reports.ensure_indexes(
        IndexModel([("status", ASCENDING), ("visibility", ASCENDING)]),
        IndexModel([("municipality_id", ASCENDING)]),
        IndexModel([("network_ids", ASCENDING)]),
        IndexModel([("created_at", DESCENDING)]),
    )
    runtime.state["stores"] = stores
    return stores
