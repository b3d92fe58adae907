"""Aggregates kept under the store rule, with their facts in the same atomic write.

FerretDB v1 does not make a read-modify-write of one document atomic; only unique indexes are.
So every change of an aggregate is the *insert* of a new revision document whose ``_id`` is
``<aggregate id>@<version>``: two writers that read version 4 both try to insert ``…@5`` and the
unique ``_id`` lets exactly one win; the loser re-reads and retries. The revision holds the new
state *and* the facts it causes, so state and facts are one atomic write (the outbox); the relay
publishes pending facts and records a marker for each batch of sent revisions in ``<name>_sent``
(an insert, never an update: FerretDB v1 updates a document at a few dozen per second but inserts
thousands per second in batches). The ``<name>`` collection is a materialised copy of
each aggregate's latest revision for queries; the revision log is the truth (and the history).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar
from uuid import uuid4

from pydantic import BaseModel
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from samling_contracts import envelope
from samling_kernel.decisions import Change

from samling_runtime.bson import to_document
from samling_runtime.mongo import Document, find_by_ids, insert_new
from samling_runtime.telemetry import current_trace
from samling_runtime.time_buckets import MARKS, BucketSweep, TimeBuckets
from samling_runtime.timeline import DIRECTORY, DIRECTORY_INDEX, Timeline, TimelineIndex
from samling_runtime.unsent import PENDING_BY_MINUTE
from samling_runtime.unsent import unsent_revisions as unsent_revisions  # where tests ask

S = TypeVar("S", bound=BaseModel)

REVISIONS_SUFFIX = "_revisions"
SENT_SUFFIX = "_sent"
REVISIONS_BY_HOUR = TimeBuckets("recorded_at", timedelta(hours=1))
"""Revisions by the hour they were recorded in, for sweeps over the history (retention)."""
COPIES_BY_HOUR = TimeBuckets("_recorded_at", timedelta(hours=1))
"""Copies by the hour of their last change, for sweeps over what changed lately (repairs)."""


class AlreadyExists(Exception):
    """An aggregate with this id exists already."""


class WriteConflict(Exception):
    """Too many concurrent writers on one aggregate; the caller may retry later."""


class NotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class Versioned(Generic[S]):
    id: str
    version: int
    state: S
    recorded_at: datetime


def revision_id(aggregate_id: str, version: int) -> str:
    return f"{aggregate_id}@{version:010d}"


class AggregateStore(Generic[S]):
    def __init__(
        self,
        db: AsyncDatabase[Document],
        name: str,
        model: type[S],
        *,
        source: str,
        on_recorded: Callable[[AggregateStore[Any], list[Document]], None] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        timelines: Sequence[Timeline] = (),
        buckets: Sequence[TimeBuckets] = (),
    ) -> None:
        self.name = name
        self.model = model
        self.current: AsyncCollection[Document] = db[name]
        self.revisions: AsyncCollection[Document] = db[name + REVISIONS_SUFFIX]
        self.sent: AsyncCollection[Document] = db[name + SENT_SUFFIX]
        """One marker per revision whose facts the relay has published (same ``_id``)."""
        self._source = source
        self._on_recorded = on_recorded or (lambda store, revisions: None)
        self._now = now
        self._marks: AsyncCollection[Document] = db[MARKS]
        self.timelines = {t.name: TimelineIndex(t, self.current, db[DIRECTORY]) for t in timelines}
        """Long lists of the copy read a bucket at a time (``samling_runtime.timeline``)."""
        self.buckets = tuple(buckets)
        """Time buckets of the state's own datetimes that the copy carries, kept with every
        change (a sweep over them reads by equality: ``samling_runtime.time_buckets``)."""

    async def ensure_indexes(self, *extra: IndexModel) -> None:
        """Create the indexes one per call: FerretDB v1 drops the connection (a server-side
        panic) when one ``createIndexes`` lists several indexes that all exist already, i.e.
        whenever a service restarts on its existing database."""
        await create_indexes_one_by_one(
            self.revisions,
            [
                IndexModel([("aggregate_id", ASCENDING), ("version", DESCENDING)]),
                IndexModel([("pending", ASCENDING), ("recorded_at", ASCENDING)]),
                REVISIONS_BY_HOUR.index(),
                PENDING_BY_MINUTE.index(),
            ],
        )
        await create_indexes_one_by_one(self.sent, [IndexModel([("recorded_at", ASCENDING)])])
        await create_indexes_one_by_one(
            self.current, [COPIES_BY_HOUR.index(), *(b.index() for b in self.buckets), *extra]
        )
        for index in self.timelines.values():
            await create_indexes_one_by_one(index.directory, [DIRECTORY_INDEX])
            await index.relist()

    # -- reading ---------------------------------------------------------------------------
    async def get(self, aggregate_id: str) -> Versioned[S] | None:
        """The latest revision: the truth, for deciding a change.

        Only ``_id`` lookups: FerretDB v1 answers any other filter by scanning the collection.
        The copy names its version ``v``; a revision ``v+1`` existing means the copy lags (a
        crash between the two writes, or a concurrent writer) and is rolled forward.
        """
        current = await self.current.find_one({"_id": aggregate_id})
        version = int(current["_version"]) if current else 0
        newer: Document | None = None
        while (
            following := await self.revisions.find_one(
                {"_id": revision_id(aggregate_id, version + 1)}
            )
        ) is not None:
            newer, version = following, version + 1
        if newer is not None:
            await self._materialise(newer)
            return self._versioned(newer)
        if current is None:
            return None
        if "_recorded_at" not in current:  # a copy written before copies carried the time
            revision = await self.revisions.find_one({"_id": revision_id(aggregate_id, version)})
            return self._versioned(revision) if revision else None
        return Versioned(aggregate_id, version, self.from_current(current), current["_recorded_at"])

    async def require(self, aggregate_id: str) -> Versioned[S]:
        found = await self.get(aggregate_id)
        if found is None:
            raise NotFound(aggregate_id)
        return found

    async def history(self, aggregate_id: str) -> list[Versioned[S]]:
        cursor = self.revisions.find({"aggregate_id": aggregate_id}, sort=[("version", ASCENDING)])
        return [self._versioned(doc) async for doc in cursor]

    def history_sweep(self, name: str, lookback: timedelta) -> BucketSweep:
        """A sweep named ``name`` over the revisions, an hour of them at a time."""
        return BucketSweep(f"{self.name}-{name}", REVISIONS_BY_HOUR, self._marks, lookback)

    async def superseded(
        self,
        sweep: BucketSweep,
        before: datetime,
        handle: Callable[[list[Document]], Awaitable[object]],
    ) -> None:
        """Hand ``handle`` the revisions that a newer revision, recorded before ``before``,
        replaced: the history whose personal data a retention rule may scrub (the latest
        revision is never one). ``sweep`` reads the newer revisions an hour at a time, each
        hour once it is wholly before ``before`` and handled."""

        async def replaced(newer: Document) -> None:
            cursor = self.revisions.find(newer, {"aggregate_id": 1, "version": 1})
            ids = [
                revision_id(d["aggregate_id"], d["version"] - 1)
                async for d in cursor
                if d["version"] > 1
            ]
            found = await find_by_ids(self.revisions, ids)
            await handle(list(found.values()))

        await sweep.round(before, replaced)

    def from_current(self, doc: Document) -> S:
        """Parse a document of the materialised collection (for queries)."""
        return self.model.model_validate({k: v for k, v in doc.items() if not k.startswith("_")})

    # -- writing ---------------------------------------------------------------------------
    async def create(self, aggregate_id: str, change: Change[S]) -> Versioned[S]:
        try:
            return await self._record(aggregate_id, 1, change)
        except DuplicateKeyError:
            raise AlreadyExists(aggregate_id) from None

    async def create_many(self, items: list[tuple[str, Change[S]]]) -> list[str]:
        """Create many aggregates in one round trip; returns the ids that already existed."""
        if not items:
            return []
        now = self._now()
        docs = [self._revision(agg_id, 1, change, now) for agg_id, change in items]
        clashes = await insert_new(self.revisions, docs)
        fresh = [d for i, d in enumerate(docs) if i not in clashes]
        self._on_recorded(self, fresh)
        if fresh:
            await self._materialise_many(fresh)
            await self._note_buckets(fresh)
        return [items[i][0] for i in sorted(clashes)]

    async def update(
        self,
        aggregate_id: str,
        decide: Callable[[S], Change[S] | None],
        *,
        attempts: int = 50,
    ) -> Versioned[S]:
        """Apply ``decide`` to the latest state; retried on a concurrent write.

        ``decide`` must be pure (it may run more than once). Returning None means "no change".
        """

        async def decided(state: S) -> Change[S] | None:
            return decide(state)

        return await self.update_async(aggregate_id, decided, attempts=attempts)

    async def update_async(
        self,
        aggregate_id: str,
        decide: Callable[[S], Awaitable[Change[S] | None]],
        *,
        attempts: int = 50,
    ) -> Versioned[S]:
        """Like :meth:`update` for decisions that need to read other documents first."""
        for attempt in range(attempts):
            latest = await self.require(aggregate_id)
            change = await decide(latest.state)
            if change is None:
                return latest
            try:
                return await self._record(aggregate_id, latest.version + 1, change)
            except DuplicateKeyError:
                await asyncio.sleep(min(0.002 * 2**attempt, 0.1))
        raise WriteConflict(aggregate_id)

    async def _record(self, aggregate_id: str, version: int, change: Change[S]) -> Versioned[S]:
        doc = self._revision(aggregate_id, version, change, self._now())
        await self.revisions.insert_one(doc)
        self._on_recorded(self, [doc])
        await self._materialise(doc)
        await self._note_buckets([doc])
        return Versioned(aggregate_id, version, change.state, doc["recorded_at"])

    def _revision(
        self, aggregate_id: str, version: int, change: Change[S], now: datetime
    ) -> Document:
        events = [
            envelope(fact, source=self._source, time=now).model_dump(mode="json")
            for fact in change.facts
        ]
        return {
            "_id": revision_id(aggregate_id, version),
            "aggregate_id": aggregate_id,
            "version": version,
            "state": to_document(change.state),
            "events": events,
            "pending": bool(events),
            "recorded_at": now,
            **REVISIONS_BY_HOUR.fields(now),
            # The outbox sweep reads the revisions with facts a minute at a time.
            **(PENDING_BY_MINUTE.fields(now) if events else {}),
            # The relay publishes the facts in the trace of the request that made them.
            "trace": dict(change.trace) if change.trace is not None else current_trace(),
        }

    # -- the materialised copy -------------------------------------------------------------
    def _current_doc(self, revision: Document) -> Document:
        doc = {
            **revision["state"],
            "_id": revision["aggregate_id"],
            "_version": revision["version"],
            # With the time, the copy answers get() alone: no third read of the revision.
            "_recorded_at": revision["recorded_at"],
            **COPIES_BY_HOUR.fields(revision["recorded_at"]),
        }
        for buckets in self.buckets:
            moment = doc.get(buckets.field)
            if isinstance(moment, datetime):
                doc.update(buckets.fields(moment))
        for index in self.timelines.values():
            doc.update(index.timeline.fields(doc))
        return doc

    async def _note_buckets(self, revisions: list[Document]) -> None:
        """After the copies: a crash in between leaves a bucket unlisted until the
        aggregate's next write (the revision log and the copy are right regardless)."""
        for index in self.timelines.values():
            await index.record([self._current_doc(r) for r in revisions])

    async def _materialise(self, revision: Document) -> None:
        """Bring the copy up to this revision, by ``_id`` only (anything else makes FerretDB
        scan the collection).

        A slower writer may overwrite a newer copy with its older revision; so after writing,
        look for the next revision and, if there is one, write that. Every revision is inserted
        before its copy is written, so the last writer always finds the newest one.
        """
        while True:
            doc = self._current_doc(revision)
            if revision["version"] == 1:
                try:
                    await self.current.insert_one(doc)
                    # No copy existed, so every later revision's copy is written after this one
                    # and wins: the look for revision 2 would only cost a round trip (an index
                    # lookup on PostgreSQL; it was a table scan on SQLite).
                    return
                except DuplicateKeyError:
                    await self.current.replace_one({"_id": doc["_id"]}, doc)
            else:
                await self.current.replace_one({"_id": doc["_id"]}, doc, upsert=True)
            following = await self.revisions.find_one(
                {"_id": revision_id(revision["aggregate_id"], revision["version"] + 1)}
            )
            if following is None:
                return
            revision = following

    async def _materialise_many(self, revisions: list[Document]) -> None:
        await insert_new(self.current, [self._current_doc(r) for r in revisions])

    async def repair(self, aggregate_id: str) -> None:
        """Roll the copy forward to the latest revision (after a crash between the two writes)."""
        await self.get(aggregate_id)  # rolls the copy forward as a side effect

    # -- the outbox ------------------------------------------------------------------------
    async def mark_sent(self, revisions: list[Document], now: datetime) -> None:
        """Record that these revisions' facts are published: one marker for the whole batch.

        The marker names the revisions (``sent``) and carries the newest one's time, so it
        lives until the relay's horizon has passed every one of them (``forget_sent``). One
        document per batch instead of one per revision: under a rush of writes a batch is
        a desk's batch of registrations, and the store pays per row written and read."""
        if not revisions:
            return
        await self.sent.insert_one(
            {
                "_id": f"batch:{uuid4().hex}",
                "sent": [r["_id"] for r in revisions],
                "recorded_at": max(r["recorded_at"] for r in revisions),
                "sent_at": now,
            }
        )

    async def unsent(
        self, since: datetime | None = None, *, by_minute: bool = False
    ) -> list[Document]:
        """Revisions recorded since ``since`` whose facts have no sent marker, oldest first
        (``by_minute``: read the minutes since ``since`` only, see :mod:`samling_runtime.unsent`)."""
        return await unsent_revisions(self.revisions, self.sent, since, by_minute=by_minute)

    async def forget_sent(self, before: datetime) -> None:
        """Drop markers of revisions older than the relay's horizon: no sweep looks there."""
        await self.sent.delete_many({"recorded_at": {"$lt": before}})

    def _versioned(self, doc: Document) -> Versioned[S]:
        return Versioned(
            doc["aggregate_id"],
            doc["version"],
            self.model.model_validate(doc["state"]),
            doc["recorded_at"],
        )


async def create_indexes_one_by_one(
    collection: AsyncCollection[Document], indexes: Iterable[IndexModel]
) -> None:
    """``create_indexes`` that works on FerretDB v1 when the indexes exist already (restarts):
    one index per ``createIndexes`` command. Use it for every collection a service indexes."""
    for index in indexes:
        await collection.create_indexes([index])


def revisions_of(stores: Iterable[AggregateStore[Any]]) -> list[AsyncCollection[Document]]:
    return [store.revisions for store in stores]
