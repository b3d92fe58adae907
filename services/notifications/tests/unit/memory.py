"""An in-memory stand-in for the few Mongo collection calls the fact handlers make, so the
fast tier runs them with no store: equality (an array field matches a member), ``$in``,
``$gt``/``$gte``/``$lt``/``$lte``, ``$ne``, ``$exists``, ``$or``/``$and``, dotted paths; ``$set``
updates; upserts; and the one atomic guarantee the store rule relies on, a unique ``_id``
(a duplicate raises DuplicateKeyError, or is reported per document by ``insert_many``)."""

from __future__ import annotations

import copy
import itertools
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pymongo import ReplaceOne, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError
from samling_runtime.mongo import DUPLICATE_KEY, Document

_MISSING = object()


def _value(doc: Document, path: str) -> Any:
    current: Any = doc
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            return _MISSING
        current = current[part]
    return current


def _equal(found: Any, wanted: Any) -> bool:
    if found is _MISSING:
        return wanted is None
    if isinstance(found, list) and not isinstance(wanted, list):
        return wanted in found
    return bool(found == wanted)


def _compare(found: Any, op: str, wanted: Any) -> bool:
    if op == "$exists":
        return (found is not _MISSING) == bool(wanted)
    if op == "$in":
        return any(_equal(found, w) for w in wanted)
    if op == "$ne":
        return not _equal(found, wanted)
    if found is _MISSING or found is None:
        return False
    if op == "$gt":
        return bool(found > wanted)
    if op == "$gte":
        return bool(found >= wanted)
    if op == "$lt":
        return bool(found < wanted)
    if op == "$lte":
        return bool(found <= wanted)
    raise NotImplementedError(f"operator {op} is not in the in-memory store")


def matches(doc: Document, query: Document) -> bool:
    for key, wanted in query.items():
        if key == "$or":
            if not any(matches(doc, part) for part in wanted):
                return False
        elif key == "$and":
            if not all(matches(doc, part) for part in wanted):
                return False
        elif isinstance(wanted, dict) and wanted and all(k.startswith("$") for k in wanted):
            found = _value(doc, key)
            if not all(_compare(found, op, w) for op, w in wanted.items()):
                return False
        elif not _equal(_value(doc, key), wanted):
            return False
    return True


@dataclass
class Result:
    matched_count: int = 0
    modified_count: int = 0
    deleted_count: int = 0
    upserted_id: Any = None


class Cursor:
    def __init__(self, docs: list[Document]) -> None:
        self._docs = docs

    def __aiter__(self) -> AsyncIterator[Document]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Document]:
        for doc in self._docs:
            yield doc

    async def to_list(self, length: int | None = None) -> list[Document]:
        return list(self._docs)


class MemoryCollection:
    def __init__(self, name: str) -> None:
        self.name = name
        self.docs: dict[Any, Document] = {}
        self._ids = itertools.count(1)

    def _matching(self, query: Document) -> list[Document]:
        return [d for d in self.docs.values() if matches(d, query)]

    async def find_one(self, query: Document, *args: Any, **kwargs: Any) -> Document | None:
        found = self._matching(query)
        return copy.deepcopy(found[0]) if found else None

    def find(
        self,
        query: Document | None = None,
        projection: Any = None,
        *,
        sort: Sequence[tuple[str, int]] | None = None,
        limit: int = 0,
        **kwargs: Any,
    ) -> Cursor:
        found = [copy.deepcopy(d) for d in self._matching(query or {})]
        for field, direction in reversed(list(sort or [])):
            found.sort(key=lambda d: d[field], reverse=direction < 0)
        return Cursor(found[:limit] if limit else found)

    def _insert(self, doc: Document) -> None:
        doc = copy.deepcopy(doc)
        doc.setdefault("_id", f"auto_{next(self._ids)}")
        if doc["_id"] in self.docs:
            raise DuplicateKeyError(f"duplicate _id {doc['_id']!r}", DUPLICATE_KEY)
        self.docs[doc["_id"]] = doc

    async def insert_one(self, doc: Document, **kwargs: Any) -> Result:
        self._insert(doc)
        return Result()

    async def insert_many(
        self, docs: Iterable[Document], ordered: bool = True, **kwargs: Any
    ) -> Result:
        errors: list[Document] = []
        for index, doc in enumerate(docs):
            try:
                self._insert(doc)
            except DuplicateKeyError as exc:
                errors.append({"index": index, "code": DUPLICATE_KEY, "errmsg": str(exc)})
                if ordered:
                    break
        if errors:
            raise BulkWriteError({"writeErrors": errors})
        return Result()

    def _upserted(self, query: Document, replacement: Document) -> Result:
        seed = {k: v for k, v in query.items() if not k.startswith("$") and not isinstance(v, dict)}
        self._insert({**seed, **replacement})
        return Result(upserted_id=seed.get("_id", replacement.get("_id")))

    async def update_one(
        self, query: Document, update: Document, upsert: bool = False, **kwargs: Any
    ) -> Result:
        found = self._matching(query)
        if not found:
            return self._upserted(query, update.get("$set", {})) if upsert else Result()
        found[0].update(copy.deepcopy(update.get("$set", {})))
        return Result(matched_count=1, modified_count=1)

    async def update_many(self, query: Document, update: Document, **kwargs: Any) -> Result:
        found = self._matching(query)
        for doc in found:
            doc.update(copy.deepcopy(update.get("$set", {})))
        return Result(matched_count=len(found), modified_count=len(found))

    async def replace_one(
        self, query: Document, replacement: Document, upsert: bool = False, **kwargs: Any
    ) -> Result:
        found = self._matching(query)
        if not found:
            return self._upserted(query, replacement) if upsert else Result()
        kept = found[0]["_id"]
        self.docs[kept] = {**copy.deepcopy(replacement), "_id": kept}
        return Result(matched_count=1, modified_count=1)

    async def delete_one(self, query: Document, **kwargs: Any) -> Result:
        found = self._matching(query)
        if found:
            del self.docs[found[0]["_id"]]
        return Result(deleted_count=len(found[:1]))

    async def delete_many(self, query: Document, **kwargs: Any) -> Result:
        found = self._matching(query)
        for doc in found:
            del self.docs[doc["_id"]]
        return Result(deleted_count=len(found))

    async def bulk_write(
        self, requests: Sequence[ReplaceOne[Document] | UpdateOne], ordered: bool = True
    ) -> Result:
        for request in requests:
            # pymongo keeps a write's parts in these attributes; they are all a fake needs.
            query, body, upsert = (
                cast(Any, request)._filter,
                cast(Any, request)._doc,
                cast(Any, request)._upsert,
            )
            if isinstance(request, ReplaceOne):
                await self.replace_one(query, body, upsert=bool(upsert))
            else:
                await self.update_one(query, body, upsert=bool(upsert))
        return Result()


class MemoryDatabase:
    """Collections made on first use, as a Mongo database does."""

    def __init__(self) -> None:
        self.collections: dict[str, MemoryCollection] = {}

    def __getitem__(self, name: str) -> MemoryCollection:
        return self.collections.setdefault(name, MemoryCollection(name))
