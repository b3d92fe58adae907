"""The events service's local read model of the network service's facts: its collections,
named once; the handlers in :mod:`samling_events.handlers` write them through the named writes
below, :class:`Stores` and the named reads below read them.

Municipalities and their e-mail domain lists are only ever inserted: a redelivered fact hits
its own ``_id`` again and changes nothing.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from samling_contracts import CloudEvent
from samling_contracts.network import NetworkCreated
from samling_runtime.membership_view import MembershipFact, record_membership
from samling_runtime.mongo import Document


@dataclass(frozen=True)
class NetworkSummary:
    region_id: str | None
    archived: bool


@dataclass(frozen=True)
class NetworkViews:
    networks: AsyncCollection[Document]
    """Per network: region, name, archived, coordinators."""
    memberships: AsyncCollection[Document]
    """Per (network, municipality): the latest membership fact (samling_runtime.membership_view)."""
    municipalities: AsyncCollection[Document]
    """Per municipality: its region (insert-only)."""
    domain_lists: AsyncCollection[Document]
    """Each e-mail domain list a municipality declared, one document per fact (insert-only)."""

    @classmethod
    def of(cls, db: AsyncDatabase[Document]) -> NetworkViews:
        return cls(
            networks=db["network_view"],
            memberships=db["membership_view"],
            municipalities=db["municipality_view"],
            domain_lists=db["municipality_email_domains"],
        )

    async def record_network(self, fact: NetworkCreated) -> None:
        """The network as created: its region, name and coordinators, not archived."""
        await self.networks.replace_one(
            {"_id": fact.network_id},
            {
                "region_id": fact.region_id,
                "name": fact.name,
                "archived": False,
                "coordinator_ids": fact.coordinator_ids,
            },
            upsert=True,
        )

    async def archive_network(self, network_id: str) -> None:
        await self.networks.update_one({"_id": network_id}, {"$set": {"archived": True}})

    async def record_membership(self, fact: MembershipFact, event: CloudEvent) -> None:
        """The latest fact about the municipality's membership of the network."""
        await record_membership(self.memberships, fact, event)

    async def register_municipality(self, municipality_id: str, region_id: str) -> None:
        """The municipality's region, unless known already (insert-only)."""
        with contextlib.suppress(DuplicateKeyError):
            await self.municipalities.insert_one({"_id": municipality_id, "region_id": region_id})

    async def record_email_domains(
        self, list_id: str, municipality_id: str, email_domains: list[str], as_of: datetime
    ) -> None:
        """One e-mail domain list the municipality declared (insert-only: ``list_id`` is the
        fact's id, so a redelivery inserts nothing)."""
        with contextlib.suppress(DuplicateKeyError):
            await self.domain_lists.insert_one(
                {
                    "_id": list_id,
                    "municipality_id": municipality_id,
                    "email_domains": email_domains,
                    "as_of": as_of,
                }
            )

    async def network(self, network_id: str) -> NetworkSummary | None:
        found = await self.networks.find_one({"_id": network_id})
        if found is None:
            return None
        return NetworkSummary(
            region_id=found.get("region_id"), archived=bool(found.get("archived"))
        )

    async def region_of(self, municipality_id: str) -> str | None:
        """The municipality's region, or None when no MunicipalityRegistered came yet."""
        found = await self.municipalities.find_one({"_id": municipality_id}, {"region_id": 1})
        return (found or {}).get("region_id")

    async def municipalities_in(self, region_id: str) -> list[str]:
        docs = self.municipalities.find({"region_id": region_id}, {"_id": 1})
        return [doc["_id"] async for doc in docs]

    async def active_networks_of(self, municipality_id: str) -> list[str]:
        """The networks the municipality is a member of now."""
        return await self.memberships.distinct(
            "network_id", {"municipality_id": municipality_id, "active": True}
        )

    async def active_members_of(self, network_id: str) -> list[str]:
        """The municipalities that are members of the network now."""
        members = self.memberships.find(
            {"network_id": network_id, "active": True}, {"municipality_id": 1}
        )
        return [doc["municipality_id"] async for doc in members]
