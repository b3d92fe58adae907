"""Sweeps over time that read only what has come due, on a store that cannot push a range down.

FerretDB v1 pushes only top-level equalities down to PostgreSQL (docs/store-rule.md): a sweep
such as ``{"created_at": {"$lt": horizon}}`` reads every document of its collection, every
round. On a collection that grows with use (notices, consumed-event markers, idempotency keys,
seats, revisions) that is a scan of millions of documents an hour, or every 30 seconds, which
the scale benchmark showed to take whole minutes of the store's CPU.

So each document such a sweep reads carries the *bucket* of its time, a string field written
with the document (:meth:`TimeBuckets.fields`), and a sweep reads bucket by bucket, one
equality each (:class:`BucketSweep`):

- the buckets wholly before the horizon that it has not finished yet, from ``lookback``
  before the horizon on. Once read and handled such a bucket is *finished* and never read
  again: nothing new falls into it, because the time is the writer's clock at the write;
- the bucket the horizon falls in, read every round and filtered by the time itself.

What is finished is remembered insert-only, one marker document per (sweep, bucket) in the
``sweep_marks`` collection, so replicas and restarts share it and no document is ever
read-modified-written. Markers older than the lookback are deleted as the sweep goes.

A round (:meth:`BucketSweep.round`) hands each due bucket's query to the sweep's own delete
and finishes the bucket once that returned. Documents written before their collection had
buckets are given theirs once (:func:`backfill`, a scan remembered by a marker of its own;
:func:`bucketed` is what a service runs at start). On MongoDB the same queries are equalities
on an index too. docs/store-rule.md says what a round costs and what a rolling upgrade means.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from samling_runtime.mongo import Document, delete_each, insert_new

MARKS = "sweep_marks"
"""The collection of finished buckets (and finished back-fills), shared by every sweep of a
service's database."""

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_KEY = "%Y-%m-%dT%H:%M"

LOOKBACK = timedelta(days=7)
"""The services' retention sweeps' lookback: their first round on a database reads a week of
hourly buckets (168 equalities, most of them empty), and a round reads at most 168 marks."""

Handle = Callable[[Document], Awaitable[object]]
"""What a round does with the documents of one due bucket, given the query that selects them."""


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive one is taken as UTC already (as PyMongo returns it)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class TimeBuckets:
    """Buckets of ``width`` on the datetime field ``field`` of a collection's documents."""

    field: str
    width: timedelta = timedelta(days=1)
    name: str | None = None
    """The bucket field's name, when not ``_<field>_bucket``."""

    @property
    def bucket_field(self) -> str:
        return self.name or f"_{self.field.lstrip('_')}_bucket"

    def start_of(self, moment: datetime) -> datetime:
        """Where the bucket ``moment`` falls in begins."""
        elapsed = utc(moment) - _EPOCH
        return _EPOCH + (elapsed // self.width) * self.width

    def bucket(self, moment: datetime) -> str:
        return self.start_of(moment).strftime(_KEY)

    def start_of_key(self, key: str) -> datetime:
        """Where the bucket named ``key`` begins."""
        return datetime.strptime(key, _KEY).replace(tzinfo=UTC)

    def fields(self, moment: datetime) -> Document:
        """What a document whose ``field`` is ``moment`` carries besides."""
        return {self.bucket_field: self.bucket(moment)}

    def index(self) -> IndexModel:
        return IndexModel([(self.bucket_field, ASCENDING)])


@dataclass(frozen=True)
class Bucket:
    """One bucket a sweep round reads: the equality that selects it, and whether all of it
    lies before the horizon (then it is finished once handled)."""

    key: str
    query: Document
    whole: bool


@dataclass
class BucketSweep:
    """A sweep named ``name`` over ``buckets`` of one collection, remembering in ``marks``
    which buckets it has finished."""

    name: str
    buckets: TimeBuckets
    marks: AsyncCollection[Document]
    lookback: timedelta
    """How far before the horizon the first round looks for buckets (a sweep without marks:
    a new database, or the first start of this code); documents older than that are the
    back-fill's and the operator's. Later rounds also resume after the newest finished
    bucket, however long the sweep was stopped (up to ``catch_up``)."""
    catch_up: timedelta | None = None
    """How far back a round after a long stop catches up at most (``None``: all the way).
    A repair of what crashes leave behind looks at recent buckets only: after a stop of
    months, ten-minute buckets would be thousands of empty reads in one round."""

    def _mark_id(self, key: str) -> str:
        return f"{self.name}|{key}"

    async def due(self, horizon: datetime) -> list[Bucket]:
        """The buckets this round reads, oldest first."""
        window = self.buckets.start_of(utc(horizon) - self.lookback)
        last = self.buckets.start_of(horizon)
        finished = {d["bucket"] async for d in self.marks.find({"sweep": self.name}, {"bucket": 1})}
        newest = max(finished, default=None)
        first = window
        if newest is not None:  # a sweep stopped longer than the lookback catches up
            resume = self.buckets.start_of_key(newest) + self.buckets.width
            if self.catch_up is not None:
                resume = max(resume, self.buckets.start_of(utc(horizon) - self.catch_up))
            first = min(window, resume)
        due: list[Bucket] = []
        at = first
        while at <= last:
            key = self.buckets.bucket(at)
            if key not in finished:
                due.append(Bucket(key, {self.buckets.bucket_field: key}, whole=at < last))
            at += self.buckets.width
        # The newest mark stays: it is where a round after a long stop resumes.
        oldest = self.buckets.bucket(window)
        stale = [self._mark_id(k) for k in finished if k < oldest and k != newest]
        await delete_each(self.marks, stale)  # by _id: an $in would read every mark
        return due

    def selecting(self, bucket: Bucket, horizon: datetime) -> Document:
        """The query of ``bucket``'s documents before the horizon: its equality, and in the
        horizon's own bucket the time too (FerretDB filters that range in the one bucket the
        equality read)."""
        if bucket.whole:
            return dict(bucket.query)
        return {**bucket.query, self.buckets.field: {"$lt": utc(horizon)}}

    async def round(self, horizon: datetime, handle: Handle) -> None:
        """One round: ``handle`` each due bucket's query (:meth:`selecting`), oldest first,
        and finish it once handled. A failing ``handle`` ends the round with that bucket
        unfinished: the next round reads it again."""
        done: list[Bucket] = []
        try:
            for bucket in await self.due(horizon):
                await handle(self.selecting(bucket, horizon))
                done.append(bucket)
        finally:  # one insert for the round's marks (a catch-up finishes hundreds)
            await self._finish_all(done)

    async def _finish_all(self, buckets: Sequence[Bucket]) -> None:
        marks = [
            {"_id": self._mark_id(b.key), "sweep": self.name, "bucket": b.key}
            for b in buckets
            if b.whole
        ]
        for start in range(0, len(marks), 1000):
            await insert_new(self.marks, marks[start : start + 1000])

    async def finish_all(self, buckets: Sequence[Bucket]) -> None:
        """Remember that each of ``buckets`` is done, in one insert (those the horizon falls
        in never are)."""
        await self._finish_all(buckets)

    async def finish(self, bucket: Bucket) -> None:
        """Remember that ``bucket`` is done (a bucket the horizon falls in never is)."""
        await self._finish_all([bucket])

    def before(self, docs: Sequence[Document], horizon: datetime) -> list[Document]:
        """Those of a bucket's documents whose time lies before the horizon."""
        limit = utc(horizon)
        return [d for d in docs if utc(d[self.buckets.field]) < limit]


MARKS_INDEX = IndexModel([("sweep", ASCENDING)])
_BACKFILL_CONCURRENCY = 16


async def backfill(
    collection: AsyncCollection[Document], buckets: TimeBuckets, marks: AsyncCollection[Document]
) -> int:
    """Give the documents written before ``collection`` had buckets their bucket field, once:
    a scan of the collection, remembered by a marker so that later starts skip it. Returns how
    many documents were given one."""
    marker = _backfill_id(collection, buckets)
    if await marks.find_one({"_id": marker}) is not None:
        return 0

    async def give(doc: Document) -> None:
        fields = buckets.fields(doc[buckets.field])
        await collection.update_one({"_id": doc["_id"]}, {"$set": fields})

    given = 0
    chunk: list[Document] = []
    cursor = collection.find({buckets.bucket_field: {"$exists": False}}, {buckets.field: 1})
    async for doc in cursor:
        if isinstance(doc.get(buckets.field), datetime):
            chunk.append(doc)
        if len(chunk) == _BACKFILL_CONCURRENCY:
            # Updates by _id, several at a time: a year of notices is millions of them.
            await asyncio.gather(*map(give, chunk))
            given, chunk = given + len(chunk), []
    await asyncio.gather(*map(give, chunk))
    await backfilled(collection, buckets, marks)
    return given + len(chunk)


async def bucketed(
    collection: AsyncCollection[Document], buckets: TimeBuckets, marks: AsyncCollection[Document]
) -> int:
    """What a service does at start for each collection a sweep reads by buckets, before its
    own workers start: the bucket index and the marks' (one per ``createIndexes``: FerretDB
    v1 panics on several that exist already), then the back-fill. Returns how many documents
    the back-fill gave a bucket."""
    await collection.create_indexes([buckets.index()])
    await marks.create_indexes([MARKS_INDEX])
    return await backfill(collection, buckets, marks)


async def backfilled(
    collection: AsyncCollection[Document], buckets: TimeBuckets, marks: AsyncCollection[Document]
) -> None:
    """Remember that every document of ``collection`` has its bucket field, without the scan
    (a loader that wrote them all with it, as a service started on the empty collection
    would have remembered)."""
    marker = _backfill_id(collection, buckets)
    await insert_new(marks, [{"_id": marker, "sweep": "backfill", "bucket": ""}])


def _backfill_id(collection: AsyncCollection[Document], buckets: TimeBuckets) -> str:
    return f"backfill|{collection.name}|{buckets.bucket_field}"
