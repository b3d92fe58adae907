"""The relay: publishes the facts recorded with each revision, then records them as sent.

At-least-once: a crash between publishing and marking republishes on restart, with the same
CloudEvent id, which consumers deduplicate. Facts that share a partition key reach Kafka in the
order they were recorded, even when different aggregates recorded them (a membership that ended
and the municipality's next membership of the same network are two aggregates on one network
key); facts on unrelated keys are sent concurrently.

Revisions written by this process are handed to the relay directly (no query), and "sent" is
one marker per batch (see :meth:`AggregateStore.mark_sent`), so a rush of writes costs
the store inserts only. A sweep at start-up and then every ``sweep_interval`` seconds picks up
what a crashed process or another replica left behind: it looks at revisions recorded since a
persisted *horizon* (everything older is known to be sent) and publishes those without a marker.
The sweep reads the revisions of the minutes since the horizon (:mod:`samling_runtime.unsent`),
except in its first round after a start, which reads every revision with facts since then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from opentelemetry.trace import SpanKind
from samling_contracts import CloudEvent

from samling_runtime.mongo import Document
from samling_runtime.store import AggregateStore
from samling_runtime.telemetry import continued

log = logging.getLogger(__name__)

HandOver = Callable[[Sequence[CloudEvent]], Awaitable[Awaitable[object]]]
"""Hands the facts to the producer in order (and after everything handed over before them);
the awaitable it returns completes once all of them are acknowledged."""
STALE_COPY_AFTER = timedelta(seconds=5)
SETTLE = timedelta(seconds=5)
"""Younger revisions may still be on their way through another replica's relay."""
HORIZON_MARGIN = timedelta(seconds=60)
"""How far behind "now" the horizon stays: covers slow inserts and clock skew between replicas."""
WATERMARKS = "outbox_horizons"


class OutboxRelay:
    def __init__(
        self,
        stores: Sequence[AggregateStore[Any]],
        hand_over: HandOver,
        *,
        interval: float = 1.0,
        batch_size: int = 500,
        sweep_interval: float = 30.0,
    ) -> None:
        self._stores = list(stores)
        self._sweep_interval = sweep_interval
        self._next_sweep = 0.0
        self._swept: set[str] = set()
        """Stores swept once in full since this relay started: later sweeps read by minute."""
        self._hinted: dict[str, list[Document]] = defaultdict(list)
        self._in_flight: set[str] = set()
        self._hand_over = hand_over
        self._interval = interval
        self._batch_size = batch_size
        self._wake = asyncio.Event()
        self.published = 0

    def wake(self) -> None:
        self._wake.set()

    def recorded(self, store: AggregateStore[Any], revisions: list[Document]) -> None:
        """Called after every write: its facts go out at once, without a query."""
        pending = [r for r in revisions if r["pending"]]
        if pending and any(s is store for s in self._stores):
            self._hinted[store.name].extend(pending)
            self._in_flight.update(r["_id"] for r in pending)
            self._wake.set()

    async def run(self) -> None:
        backoff = self._interval
        while True:
            try:
                sent = await self.relay_once()
                backoff = self._interval
                if sent:
                    continue  # there may be more right away
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or store down: keep the facts, try again later
                log.warning("outbox relay paused: %s", exc)
                backoff = min(backoff * 2, 15.0)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=backoff)

    async def relay_once(self) -> int:
        sent = 0
        sweep = asyncio.get_running_loop().time() >= self._next_sweep
        for store in self._stores:
            hinted = self._hinted.pop(store.name, [])
            for start in range(0, len(hinted), self._batch_size):
                try:
                    sent += await self._relay(store, hinted[start : start + self._batch_size])
                except BaseException:
                    # Keep what was not acknowledged for the next round, in order (what was
                    # acknowledged left the in-flight set and is not sent twice).
                    self._hinted[store.name][:0] = [
                        r for r in hinted[start:] if r["_id"] in self._in_flight
                    ]
                    raise
            if sweep:
                sent += await self._sweep(store)
        if sweep:
            self._next_sweep = asyncio.get_running_loop().time() + self._sweep_interval
        return sent

    async def _sweep(self, store: AggregateStore[Any]) -> int:
        horizons = store.revisions.database[WATERMARKS]
        found = await horizons.find_one({"_id": store.name})
        since: datetime | None = found["horizon"] if found else None
        now = datetime.now(UTC)
        # The first sweep reads every revision with facts since the horizon, also those
        # written before revisions carried their minute; later ones only the recent minutes.
        unsent = await store.unsent(since, by_minute=store.name in self._swept)
        due = [
            r for r in unsent if r["_id"] not in self._in_flight and r["recorded_at"] < now - SETTLE
        ]
        sent = 0
        for start in range(0, len(due), self._batch_size):
            revisions = await self._load(store, due[start : start + self._batch_size])
            sent += await self._relay(store, revisions)
            await self._repair_stale_copies(store, revisions)
        # Everything older than the oldest revision still without a marker is sent: the next
        # sweep starts there. (A failed send above raised, leaving the horizon where it was.)
        due_ids = {r["_id"] for r in due}
        left = [r["recorded_at"] for r in unsent if r["_id"] not in due_ids]
        horizon = min([now - HORIZON_MARGIN, *left])
        if since is None or horizon > since:
            await horizons.replace_one({"_id": store.name}, {"horizon": horizon}, upsert=True)
            await store.forget_sent(horizon - HORIZON_MARGIN)
        self._swept.add(store.name)
        return sent

    @staticmethod
    async def _load(store: AggregateStore[Any], heads: list[Document]) -> list[Document]:
        """The whole revisions, by ``_id`` (a few: what a crash or a replica left behind)."""
        limit = asyncio.Semaphore(8)

        async def load(revision_id: str) -> Document | None:
            async with limit:
                return await store.revisions.find_one({"_id": revision_id})

        docs = await asyncio.gather(*(load(h["_id"]) for h in heads))
        return [d for d in docs if d is not None]

    async def _relay(self, store: AggregateStore[Any], revisions: list[Document]) -> int:
        if not revisions:
            return 0
        results = await asyncio.gather(*(self._send_in_order(c) for c in _chains(revisions)))
        done = [revision for sent, _ in results for revision in sent]
        failures = [failure for _, failure in results if failure is not None]
        await store.mark_sent(done, datetime.now(UTC))
        self._in_flight.difference_update(r["_id"] for r in done)
        self.published += sum(len(r["events"]) for r in done)
        if failures:
            raise failures[0]
        return len(done)

    async def _send_in_order(
        self, chain: list[Document]
    ) -> tuple[list[Document], BaseException | None]:
        """Hands the whole chain over before waiting for any ack; returns what was acknowledged
        (a prefix of the chain: after a failure the rest goes again, in order, next round)."""
        acks: list[Awaitable[object]] = []
        failure: BaseException | None = None
        for revision in chain:
            with continued(revision.get("trace"), "outbox publish", SpanKind.PRODUCER):
                try:
                    acks.append(
                        await self._hand_over(
                            [CloudEvent.model_validate(e) for e in revision["events"]]
                        )
                    )
                except Exception as exc:
                    failure = exc
                    break
        outcomes = await asyncio.gather(*acks, return_exceptions=True)
        sent: list[Document] = []
        for revision, outcome in zip(chain, outcomes, strict=False):
            if isinstance(outcome, BaseException):
                failure = failure or outcome
                break
            sent.append(revision)
        return sent, failure

    async def _repair_stale_copies(
        self, store: AggregateStore[Any], revisions: list[Document]
    ) -> None:
        """A revision still pending long after it was written may have lost its copy update."""
        cutoff = datetime.now(UTC) - STALE_COPY_AFTER
        for aggregate_id in {r["aggregate_id"] for r in revisions if r["recorded_at"] < cutoff}:
            await store.repair(aggregate_id)


def _chains(revisions: list[Document]) -> list[list[Document]]:
    """The revisions in groups that must go out one after the other: revisions of one aggregate,
    and revisions whose facts share a partition key, in the order given (the order recorded)."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def keys(revision: Document) -> list[str]:
        return [f"aggregate:{revision['aggregate_id']}"] + [
            f"key:{e['partitionkey']}" for e in revision["events"]
        ]

    for revision in revisions:
        first, *rest = keys(revision)
        for key in rest:
            parent[root(key)] = root(first)
    chains: dict[str, list[Document]] = defaultdict(list)
    for revision in revisions:
        chains[root(keys(revision)[0])].append(revision)
    return list(chains.values())
