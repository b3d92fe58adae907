"""Which revisions' facts no relay has published: what the outbox sweep reads.

A revision with facts is ``pending`` for good ("sent" is a marker beside it, never an update),
and FerretDB v1 pushes only equalities down (docs/store-rule.md): ``{"pending": true,
"recorded_at": {"$gte": horizon}}`` reads every revision with facts ever written, every 30
seconds, in every service. So a revision with facts also carries the minute it was recorded
in (``_pending_minute``), and a sweep reads the minutes from its horizon (about a minute ago)
on, one equality each.

Revisions written before they carried the minute are found by the full read, which each
relay does in its first sweep after it starts (and when its horizon is far behind).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from samling_runtime.mongo import Document
from samling_runtime.time_buckets import TimeBuckets

PENDING_BY_MINUTE = TimeBuckets("recorded_at", timedelta(minutes=1), name="_pending_minute")
"""The minute a revision with facts was recorded in."""
MOST_MINUTES = 120
"""A horizon further back than this (the broker was down for hours) is read in full."""
AHEAD = timedelta(minutes=2)
"""Minutes after now read too: another replica's clock may be ahead of ours."""
_FIELDS = {"_id": 1, "aggregate_id": 1, "version": 1, "recorded_at": 1}


async def unsent_revisions(
    revisions: AsyncCollection[Document],
    sent: AsyncCollection[Document],
    since: datetime | None = None,
    *,
    by_minute: bool = False,
) -> list[Document]:
    """Revisions (``_id``, ``aggregate_id``, ``version``, ``recorded_at``) recorded since
    ``since`` with facts but no marker in ``sent``, oldest first. ``by_minute``: read only
    the minutes since ``since`` (revisions that carry them), not every revision with facts."""
    window: Document = {"recorded_at": {"$gte": since}} if since else {}
    minutes = _minutes_since(since) if by_minute and since else None
    if minutes is None:
        candidates = await revisions.find(
            {"pending": True, **window}, _FIELDS, sort=[("recorded_at", ASCENDING), ("version", 1)]
        ).to_list()
    else:
        assert since is not None
        candidates = sorted(
            (d for d in await _read_minutes(revisions, minutes) if d["recorded_at"] >= since),
            key=lambda d: (d["recorded_at"], d["version"]),
        )
    if not candidates:
        return []
    marked: set[str] = set()
    async for doc in sent.find(window, {"_id": 1, "sent": 1}):
        # A batch's marker names its revisions; a marker from before batches is its own.
        marked.update(doc.get("sent") or [doc["_id"]])
    return [c for c in candidates if c["_id"] not in marked]


def _minutes_since(since: datetime) -> list[str] | None:
    """The minute buckets from ``since``'s to a little after now; None when too many."""
    width = PENDING_BY_MINUTE.width
    first = PENDING_BY_MINUTE.start_of(since)
    last = PENDING_BY_MINUTE.start_of(datetime.now(UTC) + AHEAD)
    count = (last - first) // width + 1
    if count > MOST_MINUTES:
        return None
    return [PENDING_BY_MINUTE.bucket(first + n * width) for n in range(count)]


async def _read_minutes(revisions: AsyncCollection[Document], keys: list[str]) -> list[Document]:
    limit = asyncio.Semaphore(8)

    async def minute(key: str) -> list[Document]:
        async with limit:
            query = {PENDING_BY_MINUTE.bucket_field: key}
            return await revisions.find(query, _FIELDS).to_list()

    return [doc for docs in await asyncio.gather(*(minute(k) for k in keys)) for doc in docs]
