"""The read model of the network service's facts: network names, memberships, each
municipality's region, and who may read each report (kept for its withdrawal, which carries no
visibility)."""

from __future__ import annotations

from collections.abc import Iterable

from pymongo.asynchronous.collection import AsyncCollection
from samling_contracts import CloudEvent
from samling_contracts.vocabulary import Visibility
from samling_runtime.membership_view import MembershipFact, record_membership
from samling_runtime.mongo import Document

from samling_notifications.domain.visibility import EndpointOwner, ReportScope


class NetworkViews:
    def __init__(
        self,
        networks: AsyncCollection[Document],
        memberships: AsyncCollection[Document],
        municipalities: AsyncCollection[Document],
        reports: AsyncCollection[Document],
    ) -> None:
        self._networks = networks
        self._memberships = memberships
        self._municipalities = municipalities
        self._reports = reports

    async def name_network(self, network_id: str, name: str) -> None:
        await self._networks.update_one({"_id": network_id}, {"$set": {"name": name}}, upsert=True)

    async def network_name(self, network_id: str) -> str | None:
        """The network's name, or None when no fact about it came yet."""
        network = await self._networks.find_one({"_id": network_id})
        return network["name"] if network else None

    async def record_membership(self, fact: MembershipFact, event: CloudEvent) -> None:
        """The latest fact about the municipality's membership of the network."""
        await record_membership(self._memberships, fact, event)

    async def networks_of(self, municipality_id: str) -> list[str]:
        """The networks the municipality is an active member of."""
        memberships = self._memberships.find({"municipality_id": municipality_id, "active": True})
        return [doc["network_id"] async for doc in memberships]

    async def as_owners(self, municipality_ids: Iterable[str]) -> dict[str, EndpointOwner]:
        """What is known of each municipality as a webhook endpoint's owner: its region and
        the networks it is an active member of."""
        wanted = sorted(set(municipality_ids))
        regions = {
            doc["_id"]: doc.get("region_id")
            async for doc in self._municipalities.find({"_id": {"$in": wanted}})
        }
        networks: dict[str, set[str]] = {m: set() for m in wanted}
        async for doc in self._memberships.find(
            {"municipality_id": {"$in": wanted}, "active": True}
        ):
            networks[doc["municipality_id"]].add(doc["network_id"])
        return {m: EndpointOwner(m, regions.get(m), frozenset(networks[m])) for m in wanted}

    async def record_region(self, municipality_id: str, region_id: str) -> None:
        await self._municipalities.replace_one(
            {"_id": municipality_id}, {"region_id": region_id}, upsert=True
        )

    async def keep_report_scope(self, report_id: str, scope: ReportScope) -> None:
        """Who could read the report as published last."""
        await self._reports.replace_one(
            {"_id": report_id},
            {
                "municipality_id": scope.municipality_id,
                "region_id": scope.region_id,
                "network_ids": sorted(scope.network_ids),
                "visibility": str(scope.visibility),
            },
            upsert=True,
        )

    async def report_scope(self, report_id: str) -> ReportScope | None:
        """Who could read the report as published last; None when it never was."""
        known = await self._reports.find_one({"_id": report_id})
        if known is None:
            return None
        return ReportScope(
            known["municipality_id"],
            known["region_id"],
            frozenset(known["network_ids"]),
            Visibility(known["visibility"]),
        )
