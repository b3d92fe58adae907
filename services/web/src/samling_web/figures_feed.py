"""Which events' registrations just changed: the web app's own consumer of the registration
facts, for the coordinator's dashboard to move without a reload.

Every web process reads ``samling.events.registrations`` in a consumer group of its own (the
group name ends in a per-process id), so each process sees every fact, whichever process
holds the browser's stream. It starts at the end of the topic: a dashboard reads its figures
when it opens, and only changes after that matter. Only the event id is taken from a fact;
the dashboard re-reads that event's figures through the events API with the coordinator's
own token, so no personal data and no authority passes through here.

The consumer starts in the background and retries while Kafka is away: pages (and the figures
at load) do not wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import ConsumerRebalanceListener, TopicPartition
from faststream.kafka import KafkaBroker
from faststream.middlewares import AckPolicy
from samling_contracts import CloudEvent
from samling_contracts.topics import REGISTRATIONS
from samling_runtime.kafka import decode_cloudevent

log = logging.getLogger(__name__)
RETRY_SECONDS = 5.0


class Listener:
    """One open stream's pending changes: a set, so a burst of facts about one event is one
    re-read, and a slow reader never holds more than one entry per event."""

    def __init__(self) -> None:
        self._pending: set[str] = set()
        self._wake = asyncio.Event()

    def add(self, event_id: str) -> None:
        self._pending.add(event_id)
        self._wake.set()

    async def changed(self) -> set[str]:
        await self._wake.wait()
        self._wake.clear()
        found, self._pending = self._pending, set()
        return found


class FiguresFeed:
    def __init__(self) -> None:
        self._listeners: set[Listener] = set()
        self.ready = asyncio.Event()
        """Set once the consumer has its partitions and its place at their end: a fact
        published after this reaches every listener."""

    def changed(self, event_id: str) -> None:
        for listener in self._listeners:
            listener.add(event_id)

    @asynccontextmanager
    async def listen(self) -> AsyncIterator[Listener]:
        listener = Listener()
        self._listeners.add(listener)
        try:
            yield listener
        finally:
            self._listeners.discard(listener)


def event_of(event: CloudEvent) -> str | None:
    """The event a registration fact is about (erasure facts name a participant: skipped)."""
    found = event.data.get("event_id")
    return found if isinstance(found, str) else None


class _Settled(ConsumerRebalanceListener):  # type: ignore[misc]
    """Marks the feed ready once the assigned partitions' positions (the topic's end) are
    known; a fact published before that could be missed, after it cannot."""

    def __init__(self, feed: FiguresFeed) -> None:
        self.feed = feed
        self.subscriber: Any = None
        self._task: asyncio.Task[None] | None = None

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        # The consumer's fetcher resolves the positions after this callback returns.
        self._task = asyncio.create_task(self._settle(assigned))

    async def _settle(self, assigned: set[TopicPartition]) -> None:
        for partition in assigned:
            await self.subscriber.consumer.position(partition)
        self.feed.ready.set()


def _broker(feed: FiguresFeed, bootstrap: str, group: str) -> KafkaBroker:
    process = uuid.uuid4().hex[:12]
    broker = KafkaBroker(bootstrap, client_id=f"samling-web-{process}")
    settled = _Settled(feed)

    async def on_fact(event: CloudEvent) -> None:
        event_id = event_of(event)
        if event_id:
            feed.changed(event_id)

    settled.subscriber = broker.subscriber(
        REGISTRATIONS.name,
        group_id=f"{group}.{REGISTRATIONS.name}.{process}",
        auto_offset_reset="latest",
        # Nothing committed: the group is this process's alone and starts at the end each
        # time, so committed offsets would only keep a dead process's group alive in Kafka.
        ack_policy=AckPolicy.MANUAL,
        decoder=decode_cloudevent,
        listener=settled,
    )
    settled.subscriber(on_fact)
    return broker


@asynccontextmanager
async def consuming(feed: FiguresFeed, bootstrap: str, group: str) -> AsyncIterator[None]:
    """Run the feed's consumer for as long as the app runs."""
    started: list[KafkaBroker] = []

    async def run() -> None:
        while True:
            broker = _broker(feed, bootstrap, group)
            try:
                await broker.start()
            except Exception as exc:  # Kafka away: the pages work without live figures
                log.warning("live figures unavailable (%s); retrying", exc)
                with contextlib.suppress(Exception):
                    await broker.stop()
                await asyncio.sleep(RETRY_SECONDS)
                continue
            started.append(broker)
            return

    task = asyncio.create_task(run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for broker in started:
            await broker.stop()
