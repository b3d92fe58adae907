"""MongoDB client lifecycle. The client is made at startup, never at import.

Queries stay inside what both MongoDB and FerretDB v1 accept (see docs/store-rule.md).
"""

from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]


class Mongo:
    def __init__(self, url: str, database: str, *, timeout_ms: int = 2000) -> None:
        self.client: AsyncMongoClient[Document] = AsyncMongoClient(
            url,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            tz_aware=True,
            retryWrites=False,  # FerretDB v1 has no retryable writes
            appname="samling",
        )
        self.db: AsyncDatabase[Document] = self.client[database]

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()
