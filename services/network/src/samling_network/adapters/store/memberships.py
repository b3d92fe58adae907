"""Memberships in the store: one document per membership, found by network or municipality."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from samling_runtime.mongo import Document
from samling_runtime.pagination import Page
from samling_runtime.service import Runtime

from samling_network.adapters.store.repository import Repository
from samling_network.domain.memberships import Membership


class Memberships(Repository[Membership]):
    @classmethod
    async def open(cls, runtime: Runtime) -> Memberships:
        store = runtime.store("memberships", Membership)
        await store.ensure_indexes(
            IndexModel([("network_id", ASCENDING), ("municipality_id", ASCENDING)]),
            IndexModel([("municipality_id", ASCENDING), ("active", ASCENDING)]),
        )
        return cls(store)

    async def latest(self, network_id: str, municipality_id: str) -> Membership | None:
        """The municipality's newest membership of the network (active or ended)."""
        doc = await self.store.current.find_one(
            {"network_id": network_id, "municipality_id": municipality_id},
            sort=[("sequence", DESCENDING)],
        )
        return self.store.from_current(doc) if doc else None

    async def active_networks_of(self, municipality_id: str) -> frozenset[str]:
        """The networks the municipality is a member of now."""
        cursor = self.store.current.find(
            {"municipality_id": municipality_id, "active": True}, projection={"network_id": 1}
        )
        return frozenset([doc["network_id"] async for doc in cursor])

    async def of_network(
        self, network_id: str, active: bool | None, cursor: str | None, limit: int
    ) -> Page[Membership]:
        return await self._matching({"network_id": network_id}, active, cursor, limit)

    async def of_municipality(
        self, municipality_id: str, active: bool | None, cursor: str | None, limit: int
    ) -> Page[Membership]:
        return await self._matching({"municipality_id": municipality_id}, active, cursor, limit)

    async def _matching(
        self, query: Document, active: bool | None, cursor: str | None, limit: int
    ) -> Page[Membership]:
        """Memberships matching ``query``, optionally only active (or only ended) ones."""
        if active is not None:
            query = {**query, "active": active}
        return await self._page(query, sort="_id", cursor=cursor, limit=limit)
