"""Announcements in the store."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from samling_runtime.pagination import Page
from samling_runtime.service import Runtime

from samling_network.adapters.store.repository import Repository
from samling_network.domain.announcements import Announcement


class Announcements(Repository[Announcement]):
    @classmethod
    async def open(cls, runtime: Runtime) -> Announcements:
        store = runtime.store("announcements", Announcement)
        await store.ensure_indexes(
            IndexModel([("network_id", ASCENDING), ("posted_at", DESCENDING)])
        )
        return cls(store)

    async def of_network(
        self, network_id: str, cursor: str | None, limit: int
    ) -> Page[Announcement]:
        """The network's announcements, newest first."""
        return await self._page(
            {"network_id": network_id},
            sort="posted_at",
            cursor=cursor,
            limit=limit,
            descending=True,
        )
