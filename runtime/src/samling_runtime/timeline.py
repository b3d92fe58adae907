"""Long lists in time order, read a bounded page at a time, on a store that cannot sort.

FerretDB v1 pushes only top-level equalities down to PostgreSQL; a sort, a range, a limit
after a filter, ``$or`` and ``$in`` are done in Go over every document the equalities
matched (docs/store-rule.md). A page of a list that an equality like ``region_id`` selects
thousands of documents for would read all of them. A timeline keeps that bounded:

- every document of the list carries the *bucket* of its sort time (the day or week it
  falls in) in a field of the materialised copy (``Timeline.fields``);
- a directory collection records, insert-only, which buckets hold documents for which *key*
  (e.g. ``region:rkk-salten``), written by the same ``AggregateStore`` write as the copy;
- a page is read as ``equality + bucket`` queries, bucket by bucket from the cursor on,
  each way of an ``$or`` on its own, until the page is full; each query reads one bucket.

The same queries are equalities on MongoDB too, where the declared indexes serve them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from samling_runtime.mongo import Document, insert_new

DIRECTORY = "timeline_buckets"
#: How long a replica trusts its copy of a key's buckets; its own writes refresh it at once.
DIRECTORY_SECONDS = 5.0


@dataclass(frozen=True)
class Timeline:
    """A list of one collection ordered by ``field`` (a datetime), in buckets of ``days``."""

    name: str
    field: str
    days: int
    keys: Callable[[Document], Iterable[str]]
    """The directory keys a document of the copy is listed under (every way that reads it)."""
    derived: Callable[[Document], Document] | None = None
    """Further fields of the copy its ways query by equality (e.g. the words of a text)."""

    @property
    def bucket_field(self) -> str:
        return f"_{self.name}_bucket"

    def bucket(self, moment: datetime) -> str:
        day = utc(moment).date().toordinal()
        return date.fromordinal(day - day % self.days).isoformat()

    def fields(self, doc: Document) -> Document:
        moment = doc.get(self.field)
        if not isinstance(moment, datetime):
            return {}
        return {
            self.bucket_field: self.bucket(moment),
            **(self.derived(doc) if self.derived else {}),
        }

    def entries(self, doc: Document) -> list[Document]:
        if self.bucket_field not in doc:
            return []
        bucket = doc[self.bucket_field]
        return [
            {"_id": f"{self.name}|{key}|{bucket}", "key": f"{self.name}|{key}", "bucket": bucket}
            for key in dict.fromkeys(self.keys(doc))
        ]


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive one is taken as UTC already (as PyMongo stores it)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


DIRECTORY_INDEX = IndexModel([("key", ASCENDING)])


@dataclass(frozen=True)
class Way:
    """One way into the list: equalities (led by indexed fields), and the directory key
    whose buckets cover every document they match."""

    query: Document
    key: str


@dataclass
class TimelineIndex:
    """A timeline bound to its collection and its directory."""

    timeline: Timeline
    collection: AsyncCollection[Document]
    directory: AsyncCollection[Document]
    _cache: dict[str, tuple[float, list[str]]] = field(default_factory=dict)

    async def record(self, docs: Sequence[Document]) -> None:
        """Note the buckets of these copies (duplicates are the usual case and cost nothing)."""
        entries = [e for doc in docs for e in self.timeline.entries(doc)]
        await insert_new(self.directory, list({e["_id"]: e for e in entries}.values()))
        for entry in entries:
            self._cache.pop(entry["key"], None)

    async def relist(self, chunk: int = 500) -> int:
        """Put every copy in its buckets: copies written before this list had buckets, and
        copies whose bucket was not noted (a crash between the copy and the directory write),
        would otherwise never be listed. Read once per start, not per request; returns how
        many copies lacked their bucket field (or a derived field)."""
        tl = self.timeline
        missing, batch = 0, list[Document]()
        async for doc in self.collection.find({}):
            fields = {k: v for k, v in tl.fields(doc).items() if k not in doc}
            if fields:
                # Only the copy as read gets the field: a newer version is written with its own.
                await self.collection.update_one(
                    {"_id": doc["_id"], "_version": doc.get("_version")}, {"$set": fields}
                )
                doc.update(fields)
                missing += 1
            batch.append(doc)
            if len(batch) >= chunk:
                await self.record(batch)
                batch = []
        await self.record(batch)
        return missing

    async def buckets(self, key: str) -> list[str]:
        full = f"{self.timeline.name}|{key}"
        cached = self._cache.get(full)
        if cached and time.monotonic() - cached[0] < DIRECTORY_SECONDS:
            return cached[1]
        found = sorted([d["bucket"] async for d in self.directory.find({"key": full})])
        self._cache[full] = (time.monotonic(), found)
        return found

    async def page(
        self,
        ways: Sequence[Way],
        *,
        limit: int,
        descending: bool = False,
        after: tuple[Any, str] | None = None,
        since: datetime | None = None,
        always: Iterable[datetime] = (),
        keep: Callable[[Document], bool] = lambda doc: True,
    ) -> list[Document]:
        """Up to ``limit`` documents matched by any of ``ways``, in (field, _id) order, after
        the cursor ``after`` and (for an ascending list) later than ``since``. ``always``
        names moments whose buckets are read even before the directory knows them (now, for
        a list of things just written by another replica). ``keep`` drops documents the ways
        read but the list must not show (a condition cheaper to check here than to query)."""
        tl = self.timeline
        extra = {tl.bucket(m) for m in always}
        known = await asyncio.gather(*(self.buckets(w.key) for w in ways))
        per_way = [set(k) | extra for k in known]
        buckets = sorted(set().union(*per_way), reverse=descending)
        if after is not None:
            edge = tl.bucket(after[0])
            buckets = [b for b in buckets if (b <= edge if descending else b >= edge)]
        if since is not None:
            buckets = [b for b in buckets if b >= tl.bucket(since)]
        found: dict[Any, Document] = {}
        start, size = 0, 1
        # Whole buckets only, all ways in step: once a round ends with a full page, no later
        # bucket can hold a document that sorts before the page's last. Rounds double so that
        # a sparse list needs few round trips.
        while start < len(buckets) and len(found) < limit:
            chunk = buckets[start : start + size]
            queries = [
                {**way.query, tl.bucket_field: b}
                for b in chunk
                for way, listed in zip(ways, per_way, strict=True)
                if b in listed
            ]
            for part in await asyncio.gather(*(self.collection.find(q).to_list() for q in queries)):
                for doc in part:
                    if _wanted(doc, tl.field, descending, after, since) and keep(doc):
                        found.setdefault(doc["_id"], doc)
            start, size = start + size, min(size * 2, 16)
        return _ordered(list(found.values()), tl.field, descending)[:limit]


def _ordered(docs: list[Document], sort: str, descending: bool) -> list[Document]:
    return sorted(docs, key=lambda d: (utc(d[sort]), d["_id"]), reverse=descending)


def _wanted(
    doc: Document,
    sort: str,
    descending: bool,
    after: tuple[Any, str] | None,
    since: datetime | None,
) -> bool:
    key = (utc(doc[sort]), doc["_id"])
    if since is not None and key[0] <= utc(since):
        return False
    if after is None:
        return True
    edge = (utc(after[0]), after[1])
    return key < edge if descending else key > edge
