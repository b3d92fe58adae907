"""MongoDB client lifecycle. The client is made at startup, never at import.

Queries stay inside what both MongoDB and FerretDB v1 accept (see docs/store-rule.md).
"""

from collections.abc import Sequence
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, ConnectionFailure, OperationFailure

Document = dict[str, Any]
DUPLICATE_KEY = 11000
INTERNAL_ERROR = 1

# FerretDB keeps answering while the PostgreSQL under it is down or restarting; it reports each
# command as an InternalError carrying the PostgreSQL driver's message: a refused or dropped
# connection, or SQLSTATE class 08 (connection exception) / 57P (operator intervention: shut
# down, starting up).
_BACKEND_UNREACHABLE = (
    "failed to connect to",
    "connection refused",
    "conn closed",
    "SQLSTATE 08",
    "SQLSTATE 57P",
)


def store_unreachable(exc: BaseException) -> bool:
    """True when ``exc`` says the store cannot be reached (not that the request was wrong):
    the driver lost MongoDB or FerretDB, or FerretDB lost its PostgreSQL."""
    if isinstance(exc, ConnectionFailure):
        return True
    return (
        isinstance(exc, OperationFailure)
        and exc.code == INTERNAL_ERROR
        and any(sign in str(exc) for sign in _BACKEND_UNREACHABLE)
    )


async def insert_new(collection: AsyncCollection[Document], docs: Sequence[Document]) -> set[int]:
    """Insert every document whose ``_id`` (or other unique key) is new, in one round trip;
    returns the positions of those that existed already. Any other write error is raised.

    The store rule's workhorse: a unique insert is the one write FerretDB v1 makes atomic,
    and ``ordered=False`` carries on past each duplicate."""
    if not docs:
        return set()
    try:
        await collection.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        return {e["index"] for e in errors}
    return set()


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
