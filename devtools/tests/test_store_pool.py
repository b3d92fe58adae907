"""The local store under many concurrent updates: FerretDB v1 must not deadlock its pool.

FerretDB v1.24 holds one pooled PostgreSQL connection per update while it waits for a second
(see ``samling_devtools.store_servers``); with as many such updates under way as the pool has
connections, it stopped answering anything, for good. The scale benchmark met it when the
events service's anonymisation made the notifications service erase a few hundred
participants' notices at once.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from samling_devtools.own_store import own_store
from samling_devtools.pytest_plugin import external

#: Three services and a test, each with as many updates under way as PyMongo's default pool
#: (100 connections) would send at once.
CLIENTS = 4
UPDATES_PER_CLIENT = 100


@pytest.mark.integration
@pytest.mark.skipif(external(), reason="starts a store of its own")
async def test_concurrent_updates_from_several_clients_leave_the_store_answering() -> None:
    async with own_store() as store:
        clients: list[AsyncMongoClient[dict[str, Any]]] = [
            AsyncMongoClient(store.url, serverSelectionTimeoutMS=5000) for _ in range(CLIENTS)
        ]
        try:
            docs = clients[0]["pool"]["docs"]
            ids = [f"{c}-{n}" for c in range(CLIENTS) for n in range(UPDATES_PER_CLIENT)]
            await docs.insert_many([{"_id": i, "v": 0} for i in ids])

            async def update(client: AsyncMongoClient[dict[str, Any]], doc_id: str) -> None:
                # Each changes a document that exists: the case that takes a second connection.
                await client["pool"]["docs"].update_one({"_id": doc_id}, {"$set": {"v": 1}})

            writes = [update(clients[int(i.split("-")[0])], i) for i in ids]
            try:
                await asyncio.wait_for(asyncio.gather(*writes), timeout=60)
            except TimeoutError:
                pytest.fail("FerretDB deadlocked: concurrent updates exhausted its pool")
            assert await docs.count_documents({"v": 1}) == len(ids)
            assert (await clients[1].admin.command("ping"))["ok"]
        finally:
            await asyncio.gather(*(c.close() for c in clients))
