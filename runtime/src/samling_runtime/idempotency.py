"""``Idempotency-Key`` on POSTs that create something.

The first request with a key claims it (a unique insert into ``idempotency_keys``), runs, and
stores its response (an insert into ``idempotency_results`` under the same ``_id``); a repeat
gets the stored response; the same key with a different body is a 422. A repeat that arrives
while the first is still running waits briefly for it. Only inserts, batched across concurrent
requests: FerretDB v1 updates a document at a few dozen per second, and a rush of single writes
makes its SQLite writer lock time out.

Keys and their stored answers (which can hold names and e-mails) expire after ``retention``
(24 hours): :class:`samling_runtime.sweep.RetentionSweep` deletes them, an hour of keys at a
time (a key carries the hour it was claimed in, ``_created_at_bucket``), and a key replayed
after that runs as a new request rather than returning the old answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from samling_runtime.batching import InsertBatcher
from samling_runtime.mongo import Document, delete_each
from samling_runtime.problems import Problem
from samling_runtime.time_buckets import LOOKBACK, MARKS, BucketSweep, TimeBuckets, bucketed

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Any unique string; repeating a request with the same key returns the "
        "first result instead of creating twice.",
    ),
]

Operation = Callable[[], Awaitable[tuple[int, Any]]]
Now = Callable[[], datetime]
DEFAULT_RETENTION = timedelta(hours=24)
KEYS_BY_HOUR = TimeBuckets("created_at", timedelta(hours=1))


def fingerprint(body: Any) -> str:
    canonical = json.dumps(jsonable_encoder(body), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyKeys:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        *,
        wait_seconds: float = 10.0,
        now: Now = lambda: datetime.now(UTC),
        retention: timedelta = DEFAULT_RETENTION,
    ) -> None:
        self._claims = InsertBatcher(db["idempotency_keys"])
        self._results = InsertBatcher(db["idempotency_results"])
        self._wait = wait_seconds
        self._now = now
        self.retention = retention
        self._expiry = BucketSweep("idempotency-keys", KEYS_BY_HOUR, db[MARKS], LOOKBACK)

    async def prepare(self) -> None:
        """The hour index and the back-fill of keys from before it (at start)."""
        await bucketed(self._claims.collection, KEYS_BY_HOUR, self._expiry.marks)

    async def forget_before(self, moment: datetime) -> None:
        """Delete keys claimed before ``moment`` and their answers, an hour of keys at a time
        (answers first: a claim without an answer reads as a request still running, never as
        a stale answer)."""
        await self._expiry.round(moment, self._forget)

    async def _forget(self, old: Document) -> None:
        claims = self._claims.collection
        expired = [d["_id"] async for d in claims.find(old, {"_id": 1})]
        if not expired:
            return
        await delete_each(self._results.collection, expired)
        await claims.delete_many(old)

    async def _forget_if_expired(self, record_id: str) -> bool:
        expired = {"_id": record_id, "created_at": {"$lt": self._now() - self.retention}}
        if await self._claims.collection.find_one(expired, {"_id": 1}) is None:
            return False
        await self._results.collection.delete_one({"_id": record_id})
        await self._claims.collection.delete_one({"_id": record_id})
        return True

    async def run(
        self, *, scope: str, key: str | None, body: Any, operation: Operation
    ) -> JSONResponse:
        if key is None:
            status, result = await operation()
            return JSONResponse(jsonable_encoder(result), status_code=status)
        record_id = f"{scope}:{key}"
        digest = fingerprint(body)
        now = self._now()
        claim = {
            "_id": record_id,
            "fingerprint": digest,
            "created_at": now,
            **KEYS_BY_HOUR.fields(now),
        }
        try:
            await self._claims.insert(claim)
        except DuplicateKeyError:
            if not await self._forget_if_expired(record_id):
                return await self._replay(record_id, digest)
            try:  # the old key is gone: this request is a new one
                await self._claims.insert(claim)
            except DuplicateKeyError:  # a concurrent repeat claimed it first
                return await self._replay(record_id, digest)
        try:
            status, result = await operation()
        except BaseException:
            await self._claims.collection.delete_one({"_id": record_id})
            raise
        encoded = jsonable_encoder(result)
        await self._results.insert({"_id": record_id, "status": status, "body": encoded})
        return JSONResponse(encoded, status_code=status)

    async def _replay(self, record_id: str, digest: str) -> JSONResponse:
        deadline = asyncio.get_running_loop().time() + self._wait
        while True:
            claim = await self._claims.collection.find_one({"_id": record_id})
            if claim is None:
                raise Problem(
                    409,
                    "The first request with this Idempotency-Key failed; retry it.",
                    kind="idempotency-retry",
                )
            if claim["fingerprint"] != digest:
                raise Problem(
                    422,
                    "This Idempotency-Key was already used with a different request body. "
                    "Use a new key for a new request.",
                    kind="idempotency-key-reused",
                )
            done = await self._results.collection.find_one({"_id": record_id})
            if done is not None:
                return JSONResponse(
                    done["body"],
                    status_code=done["status"],
                    headers={"Idempotent-Replayed": "true"},
                )
            if asyncio.get_running_loop().time() > deadline:
                raise Problem(
                    409,
                    "A request with this Idempotency-Key is still running.",
                    kind="idempotency-in-progress",
                )
            await asyncio.sleep(0.05)
