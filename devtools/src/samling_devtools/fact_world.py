"""A service's fact handlers driven through a broker, written once and run two ways.

``fast_world`` subscribes them on FastStream's ``TestKafkaBroker`` over the in-memory store
(:mod:`samling_devtools.memory_store`): no server, milliseconds per test. ``real_world``
subscribes the same handlers on the test Kafka with a database of their own on FerretDB
(the pytest plugin's servers), so a test parametrized over both proves the fast tier tells
the truth. Either way the subscriptions are attached as the service attaches them
(:meth:`FactSubscriptions.attach`, with dedupe by event id and dead-lettering), facts go in
as the outbox relay sends them (:func:`samling_runtime.kafka.publish`), and
:meth:`FactWorld.publish` returns once the consumers have handled everything published.

A test builds the subscriptions from the world's database::

    async with fast_world(lambda db: network_subscriptions(runtime_over(db))) as world:
        await world.publish(NetworkCreated(...))
        assert await world.db["network_view"].find_one({"_id": ...})
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.message import StreamMessage
from pymongo.asynchronous.database import AsyncDatabase
from samling_contracts import CONTENT_TYPE, CloudEvent, Fact
from samling_contracts.envelope import envelope
from samling_contracts.facts import fact_class
from samling_runtime.kafka import FactSubscriptions, make_broker, publish, topic_group
from samling_runtime.mongo import Document
from samling_runtime.processed import ProcessedEvents
from samling_runtime.service import Runtime, RuntimeRef

from samling_devtools.infra import Stack
from samling_devtools.memory_store import memory_database
from samling_devtools.testing import ensure_topics, eventually, mongo_db, start_at_end, unique

Subscribe = Callable[[AsyncDatabase[Document]], FactSubscriptions]
"""The service's subscriptions over the world's database."""


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    """The topic the message came from."""
    reason: str
    body: bytes


@dataclass
class FactWorld:
    db: AsyncDatabase[Document]
    broker: KafkaBroker
    group: str
    source: str = "/samling/fact-world"
    dead_letters: list[DeadLetter] = field(default_factory=list)
    _settled: Callable[[set[str]], Awaitable[None]] | None = None
    """Waits until the consumers have handled everything on some topics; None where a
    publish runs the handlers before it returns (the in-memory broker)."""

    async def publish(self, *facts: Fact, time: datetime | None = None) -> list[CloudEvent]:
        """Each fact in its CloudEvent, sent as the relay sends it, in order."""
        events = [envelope(fact, source=self.source, time=time) for fact in facts]
        await self.redeliver(*events)
        return events

    async def redeliver(self, *events: CloudEvent) -> None:
        """Send CloudEvents (again: a relay's retry after a lost ack sends the same ids)."""
        await publish(self.broker, events)
        await self._wait({fact_class(e.type).spec().topic.name for e in events})

    async def publish_raw(self, topic: str, body: bytes, key: bytes = b"raw") -> None:
        """A message no relay would send (a broken producer's), to see it dead-lettered."""
        await self.broker.publish(
            body, topic=topic, key=key, headers={"content-type": CONTENT_TYPE}
        )
        await self._wait({topic})
        await self._wait({f"{topic}.dlq"})  # its copy was sent before the record was committed

    async def processed(self) -> int:
        """How many facts the subscriptions marked as handled (once per event id)."""
        return await self.db["processed_events"].count_documents({"group": self.group})

    async def _wait(self, topics: set[str]) -> None:
        if self._settled is not None:
            await self._settled(topics)


def runtime_over(db: AsyncDatabase[Document]) -> RuntimeRef:
    """A runtime reference for handlers that read only ``runtime().mongo.db``."""
    runtime = cast(Runtime, SimpleNamespace(mongo=SimpleNamespace(db=db)))
    return lambda: runtime


def _dead_letter_of(msg: StreamMessage[Any]) -> DeadLetter:
    headers = msg.headers
    return DeadLetter(
        headers.get("dlq-original-topic", ""), headers.get("dlq-reason", ""), msg.body
    )


def _listen_to_dead_letters(world: FactWorld, subs: FactSubscriptions) -> None:
    async def dead_lettered(letter: DeadLetter) -> None:
        world.dead_letters.append(letter)

    for topic in subs.topics:
        world.broker.subscriber(
            topic.dead_letter,
            group_id=topic_group(world.group, topic.dead_letter),
            auto_offset_reset="earliest",
            decoder=_dead_letter_of,
        )(dead_lettered)


def _attach(world: FactWorld, subscribe: Subscribe) -> FactSubscriptions:
    processed = ProcessedEvents(world.db, world.group)
    subs = subscribe(world.db)
    subs.attach(world.broker, world.group, lambda: processed)
    _listen_to_dead_letters(world, subs)
    return subs


@contextlib.asynccontextmanager
async def fast_world(subscribe: Subscribe, group: str = "samling-fast") -> AsyncIterator[FactWorld]:
    """The subscriptions on FastStream's in-memory broker over the in-memory store: a
    publish runs the handlers before it returns."""
    broker = make_broker("fast-world.invalid:9092", client_id=group, group=group)
    world = FactWorld(memory_database(), broker, group)
    _attach(world, subscribe)
    async with TestKafkaBroker(broker):
        yield world


@contextlib.asynccontextmanager
async def real_world(
    subscribe: Subscribe, bootstrap: str, mongo_url: str, group: str | None = None
) -> AsyncIterator[FactWorld]:
    """The subscriptions on the real Kafka (a consumer group of their own that starts at the
    end of each topic, so no earlier test's facts arrive) over a fresh FerretDB database; a
    publish returns once the group's committed offsets reach the topics' ends."""
    group = group or unique("fact-world")
    broker = make_broker(bootstrap, client_id=group, group=group)
    async with mongo_db(mongo_url, group.replace("-", "_")) as db:
        world = FactWorld(db, broker, group)
        subs = _attach(world, subscribe)
        names = [t.name for t in subs.topics] + [t.dead_letter for t in subs.topics]
        await start_at_end(bootstrap, group, names)
        offsets = _Offsets(bootstrap, group)
        await offsets.start()
        world._settled = offsets.caught_up
        try:
            await broker.start()
            yield world
        finally:
            await broker.stop()
            await offsets.stop()
            await db.client.drop_database(db.name)


class _Offsets:
    """Whether a service's consumer groups have committed everything on some topics."""

    def __init__(self, bootstrap: str, group: str) -> None:
        # Committed offsets are read with the admin client, the topics' ends with a consumer
        # outside any group (one of the service's own would join its group and take partitions).
        self._group = group
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self._ends = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)

    async def start(self) -> None:
        await self._admin.start()
        await self._ends.start()

    async def stop(self) -> None:
        await self._ends.stop()
        await self._admin.close()

    async def caught_up(self, topics: set[str], timeout: float = 60) -> None:
        async def done() -> bool:
            checks = [self._topic_caught_up(topic) for topic in topics]
            return all(await asyncio.gather(*checks))

        await eventually(done, timeout=timeout)

    async def _topic_caught_up(self, topic: str) -> bool:
        parts = self._ends.partitions_for_topic(topic)
        if not parts:  # not in this client's metadata yet
            await self._ends._client.force_metadata_update()
            parts = self._ends.partitions_for_topic(topic) or set()
        partitions = [TopicPartition(topic, p) for p in parts]
        ends = await self._ends.end_offsets(partitions)
        committed = await self._admin.list_consumer_group_offsets(topic_group(self._group, topic))
        return all(tp in committed and committed[tp].offset >= end for tp, end in ends.items())


@contextlib.asynccontextmanager
async def fact_world(
    kind: str, subscribe: Subscribe, request: pytest.FixtureRequest | None = None
) -> AsyncIterator[FactWorld]:
    """``fast_world``, or for ``kind == "real"`` ``real_world`` on the session's test servers
    (asked of ``request`` only then, so a fast run starts none). Parametrize a test over both
    with :data:`BOTH`, which marks the real variant ``integration``."""
    if kind == "fast":
        async with fast_world(subscribe) as world:
            yield world
        return
    if request is None:
        raise ValueError("a real fact world needs the test's request, to start the servers")
    stack: Stack = request.getfixturevalue("stack")
    await ensure_topics(stack.bootstrap)
    async with real_world(subscribe, stack.bootstrap, stack.mongo_url) as world:
        yield world


BOTH = ("fast", pytest.param("real", marks=pytest.mark.integration))
"""Parametrize a test over ``kind`` with these: ``@pytest.mark.parametrize("kind", BOTH)``."""
