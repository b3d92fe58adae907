"""Regions in the store."""

from __future__ import annotations

from samling_runtime.pagination import Page
from samling_runtime.service import Runtime

from samling_network.adapters.store.repository import Repository
from samling_network.domain.regions import Region


class Regions(Repository[Region]):
    @classmethod
    async def open(cls, runtime: Runtime) -> Regions:
        store = runtime.store("regions", Region)
        await store.ensure_indexes()
        return cls(store)

    async def page(self, cursor: str | None, limit: int) -> Page[Region]:
        return await self._page({}, sort="_id", cursor=cursor, limit=limit)
