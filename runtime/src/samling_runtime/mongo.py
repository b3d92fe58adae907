"""MongoDB client lifecycle. The client is made at startup, never at import.

Queries stay inside what both MongoDB and FerretDB v1 accept (see docs/store-rule.md).
"""

import asyncio
from collections.abc import Iterable, Sequence
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


# -- queries an index can answer on FerretDB v1 as on MongoDB ------------------------------
# FerretDB v1 pushes down to PostgreSQL only equalities on top-level fields of the filter
# itself: not `$in`, `$or` or `$and`, nor ranges. A filter without such an equality reads the
# whole collection. These helpers say the same thing as `$in`/`$and` in equalities.


def hoisted(query: Document) -> Document:
    """``query`` with the conditions of a top-level ``$and`` (and of a one-way ``$or``) lifted
    to the top level where no other condition names the same field, so their equalities reach
    the index; the documents it selects are the same."""
    out: Document = {k: v for k, v in query.items() if k not in ("$and", "$or")}
    rest: list[Document] = []
    parts: list[Document] = list(query.get("$and", []))
    ways = query.get("$or")
    if ways is not None and len(ways) == 1:
        parts.append(ways[0])
    elif ways is not None:
        out["$or"] = ways
    while parts:
        part = parts.pop(0)
        nested = hoisted(part)
        for key, value in nested.items():
            if key.startswith("$") or key in out:
                rest.append({key: value})
            else:
                out[key] = value
    if rest:
        out["$and"] = rest
    return out


def matches(doc: Document, query: Document) -> bool:
    """Whether ``doc`` is one ``query`` selects, for the equality subset the services' ways
    are made of: a field's value (an array field: one of its elements), ``$in``, ``$ne``,
    ``$and``, ``$or``. Anything else is refused rather than guessed."""
    for key, condition in query.items():
        if key == "$and":
            ok = all(matches(doc, part) for part in condition)
        elif key == "$or":
            ok = any(matches(doc, part) for part in condition)
        else:
            ok = _holds(_values(doc, key), condition)
        if not ok:
            return False
    return True


def _values(doc: Document, path: str) -> list[Any]:
    value: Any = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return [value, *value] if isinstance(value, list) else [value]


def _holds(values: list[Any], condition: Any) -> bool:
    if not (isinstance(condition, dict) and any(k.startswith("$") for k in condition)):
        return condition in values
    for op, operand in condition.items():
        if op == "$in":
            ok = any(v in values for v in operand)
        elif op == "$ne":
            ok = operand not in values
        elif op == "$eq":
            ok = operand in values
        else:
            raise ValueError(f"matches() does not evaluate {op}")
        if not ok:
            return False
    return True


async def find_each(
    collection: AsyncCollection[Document],
    queries: Sequence[Document],
    projection: Document | None = None,
    *,
    sort: Sequence[tuple[str, int]] = (),
    limit: int = 0,
    concurrency: int = 16,
) -> list[Document]:
    """The documents of several queries (each led by an indexed equality), run concurrently,
    each document once: the indexed form of ``$in``/``$or`` over a handful of values. With
    ``sort`` and ``limit`` the merged result is in that order and at most that long."""
    gate = asyncio.Semaphore(concurrency)

    async def one(query: Document) -> list[Document]:
        async with gate:
            cursor = collection.find(query, projection, sort=list(sort) or None, limit=limit)
            return await cursor.to_list()

    found: dict[Any, Document] = {}
    for docs in await asyncio.gather(*(one(q) for q in queries)):
        for doc in docs:
            found.setdefault(doc["_id"], doc)
    merged = list(found.values())
    for field, direction in reversed(sort):  # stable sorts, the last key first
        merged.sort(key=lambda d: d[field], reverse=direction < 0)
    return merged[:limit] if limit else merged


async def find_by_ids(
    collection: AsyncCollection[Document], ids: Iterable[Any], projection: Document | None = None
) -> dict[Any, Document]:
    """Documents by ``_id`` (``{_id: {$in: ids}}`` reads the whole collection on FerretDB v1)."""
    docs = await find_each(collection, [{"_id": i} for i in dict.fromkeys(ids)], projection)
    return {d["_id"]: d for d in docs}


async def delete_each(
    collection: AsyncCollection[Document], ids: Iterable[Any], *, concurrency: int = 16
) -> int:
    """Delete documents by ``_id``, one indexed delete each, run concurrently (a
    ``{_id: {$in: ids}}`` delete reads the whole collection on FerretDB v1). Returns how many
    there were."""
    gate = asyncio.Semaphore(concurrency)

    async def one(document_id: Any) -> int:
        async with gate:
            return int((await collection.delete_one({"_id": document_id})).deleted_count)

    return sum(await asyncio.gather(*(one(i) for i in dict.fromkeys(ids))))


async def count_each(collection: AsyncCollection[Document], queries: Sequence[Document]) -> int:
    """The sum of the queries' counts (the queries must not overlap)."""
    counts = await asyncio.gather(*(collection.count_documents(q) for q in queries))
    return sum(counts)
