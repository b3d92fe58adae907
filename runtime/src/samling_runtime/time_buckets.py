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

Documents written before their collection had buckets are given theirs once
(:func:`backfill`, a scan remembered by a marker of its own). On MongoDB the same queries are
equalities on an index too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from samling_runtime.mongo import Document, insert_new

MARKS = "sweep_marks"
"""The collection of finished buckets (and finished back-fills), shared by every sweep of a
service's database."""

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


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
        return self.start_of(moment).strftime("%Y-%m-%dT%H:%M")

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
    """How far before the horizon a round looks for buckets it has not finished: beyond
    this, documents are left alone (a sweep that was stopped longer than this, or documents
    older than its first round, are the back-fill's and the operator's)."""

    def _mark_id(self, key: str) -> str:
        return f"{self.name}|{key}"

    async def due(self, horizon: datetime) -> list[Bucket]:
        """The buckets this round reads, oldest first."""
        first = self.buckets.start_of(utc(horizon) - self.lookback)
        last = self.buckets.start_of(horizon)
        finished = {d["bucket"] async for d in self.marks.find({"sweep": self.name}, {"bucket": 1})}
        due: list[Bucket] = []
        at = first
        while at <= last:
            key = self.buckets.bucket(at)
            if key not in finished:
                due.append(Bucket(key, {self.buckets.bucket_field: key}, whole=at < last))
            at += self.buckets.width
        stale = [self._mark_id(k) for k in finished if k < self.buckets.bucket(first)]
        if stale:
            await self.marks.delete_many({"_id": {"$in": stale}})
        return due

    async def finish(self, bucket: Bucket) -> None:
        """Remember that ``bucket`` is done (a bucket the horizon falls in never is)."""
        if bucket.whole:
            await insert_new(
                self.marks,
                [{"_id": self._mark_id(bucket.key), "sweep": self.name, "bucket": bucket.key}],
            )

    def before(self, docs: Sequence[Document], horizon: datetime) -> list[Document]:
        """Those of a bucket's documents whose time lies before the horizon."""
        limit = utc(horizon)
        return [d for d in docs if utc(d[self.buckets.field]) < limit]


MARKS_INDEX = IndexModel([("sweep", ASCENDING)])


async def backfill(
    collection: AsyncCollection[Document], buckets: TimeBuckets, marks: AsyncCollection[Document]
) -> int:
    """Give the documents written before ``collection`` had buckets their bucket field, once:
    a scan of the collection, remembered by a marker so that later starts skip it. Returns how
    many documents were given one."""
    marker = f"backfill|{collection.name}|{buckets.bucket_field}"
    if await marks.find_one({"_id": marker}) is not None:
        return 0
    given = 0
    cursor = collection.find({buckets.bucket_field: {"$exists": False}}, {buckets.field: 1})
    async for doc in cursor:
        moment = doc.get(buckets.field)
        if isinstance(moment, datetime):
            await collection.update_one({"_id": doc["_id"]}, {"$set": buckets.fields(moment)})
            given += 1
    await insert_new(marks, [{"_id": marker, "sweep": "backfill", "bucket": ""}])
    return given
