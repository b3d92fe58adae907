"""Learning networks in the store."""

from __future__ import annotations

from collections.abc import Set

from pymongo import ASCENDING, IndexModel
from samling_contracts.vocabulary import NetworkField
from samling_runtime.mongo import Document
from samling_runtime.pagination import Page
from samling_runtime.service import Runtime

from samling_network.adapters.store.repository import Repository
from samling_network.domain.networks import Network


class Networks(Repository[Network]):
    @classmethod
    async def open(cls, runtime: Runtime) -> Networks:
        store = runtime.store("networks", Network)
        await store.ensure_indexes(
            IndexModel([("region_id", ASCENDING), ("name", ASCENDING)]),
            IndexModel([("archived", ASCENDING), ("_id", ASCENDING)]),
        )
        return cls(store)

    async def page(
        self,
        *,
        region_id: str | None,
        field: NetworkField | None,
        archived: bool | None,
        among: Set[str] | None,
        cursor: str | None,
        limit: int,
    ) -> Page[Network]:
        """Networks in id order; each argument left None does not narrow the list, ``among``
        keeps only those ids."""
        query: Document = {}
        if region_id:
            query["region_id"] = region_id
        if field:
            query["field"] = field.value
        if archived is not None:
            query["archived"] = archived
        if among is not None:
            query["_id"] = {"$in": sorted(among)}
        return await self._page(query, sort="_id", cursor=cursor, limit=limit)
