"""Webhook endpoints (an aggregate per endpoint, found by owner) and their deliveries (one
document per endpoint and fact) in the store, as the routes need them."""

from __future__ import annotations

from pymongo.asynchronous.collection import AsyncCollection
from samling_runtime.mongo import Document
from samling_runtime.pagination import after_cursor
from samling_runtime.store import AggregateStore

from samling_notifications.domain.webhooks import Endpoint


class Webhooks:
    def __init__(
        self, endpoints: AggregateStore[Endpoint], deliveries: AsyncCollection[Document]
    ) -> None:
        self._endpoints = endpoints
        self._deliveries = deliveries

    async def owned(self, endpoint_id: str, owner_id: str) -> Endpoint | None:
        """The endpoint, if it is the owner's."""
        doc = await self._endpoints.current.find_one({"_id": endpoint_id, "owner_id": owner_id})
        return self._endpoints.from_current(doc) if doc else None

    async def of_owner(self, owner_id: str) -> list[Endpoint]:
        """The owner's endpoints, oldest first."""
        cursor = self._endpoints.current.find({"owner_id": owner_id}, sort=[("created_at", 1)])
        return [self._endpoints.from_current(d) async for d in cursor]

    async def deliveries(self, endpoint_id: str, cursor: str | None, limit: int) -> list[Document]:
        """Up to ``limit`` + 1 deliveries to the endpoint after ``cursor``, newest first."""
        query = {"endpoint_id": endpoint_id, **after_cursor("created_at", cursor, descending=True)}
        found = self._deliveries.find(
            query, sort=[("created_at", -1), ("_id", -1)], limit=limit + 1
        )
        return [d async for d in found]

    async def delivery(self, delivery_id: str, endpoint_id: str) -> Document | None:
        """The delivery, if it went to the endpoint."""
        return await self._deliveries.find_one({"_id": delivery_id, "endpoint_id": endpoint_id})

    async def set_delivery(self, delivery_id: str, fields: Document) -> None:
        """Set the delivery's ``fields``."""
        await self._deliveries.update_one({"_id": delivery_id}, {"$set": fields})
