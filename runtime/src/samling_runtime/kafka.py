"""Kafka wiring: the broker, publishing CloudEvents, and subscribing to facts.

Subscribers are at-least-once (the offset is committed after the handler succeeded; an
unexpected error seeks back and retries), idempotent (a unique index on the event id, see
:mod:`samling_runtime.processed`) and never stuck on a bad message (it goes to the topic's
dead-letter topic with the reason in a header, and the consumer moves on).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy
from opentelemetry.trace import SpanKind
from pydantic import ValidationError
from samling_contracts import CONTENT_TYPE, CloudEvent, Fact, Topic, UnknownFactType
from samling_contracts.facts import fact_class

from samling_runtime.logs import current_event_id
from samling_runtime.processed import ProcessedEvents
from samling_runtime.telemetry import continued

log = logging.getLogger(__name__)

FactHandler = Callable[[Any, CloudEvent], Awaitable[None]]


class PoisonMessage(Exception):
    """A message that can never be handled as it is; it belongs in the dead-letter topic."""


POISON = (PoisonMessage, ValidationError, json.JSONDecodeError, UnicodeDecodeError)


def topic_group(group: str, topic: str) -> str:
    """The consumer group a service reads ``topic`` with: one per service and topic.

    A service has one consumer per topic it reads. In one shared group, every consumer that
    starts or stops would make all the others stop reading for a rebalance (aiokafka has only
    eager rebalancing), a service start would take a rebalance per topic, one after another,
    and a long handler on one topic would hold up the rebalance of every topic and fail their
    offset commits. With a group per topic, a topic's consumers on all replicas share its
    partitions and nothing else.
    """
    return f"{group}.{topic}"


def make_broker(bootstrap: str, client_id: str, group: str) -> KafkaBroker:
    broker = KafkaBroker(
        bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        allow_auto_create_topics=False,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        middlewares=[KafkaTelemetryMiddleware(), _dead_letter_middleware(group)],
        graceful_timeout=10.0,
        request_timeout_ms=10_000,
    )
    return broker


async def publish(broker: KafkaBroker, events: Sequence[CloudEvent]) -> None:
    """Send CloudEvents in structured mode, keyed by their aggregate id, in the given order;
    returns once the broker acknowledged every one."""
    await (await hand_over(broker, events))


async def hand_over(broker: KafkaBroker, events: Sequence[CloudEvent]) -> Awaitable[object]:
    """Hand CloudEvents to the producer in the given order; the result completes once the
    broker acknowledged every one.

    Nothing waits for an ack before the next fact is handed over, so facts share produce
    requests (one round trip per batch, not per fact). Order per key holds across calls too:
    the producer appends in call order and keeps one request in flight per partition.
    """
    acks = [
        await broker.publish(
            event.to_json(),
            topic=fact_class(event.type).spec().topic.name,
            key=event.partitionkey.encode(),
            headers={"content-type": CONTENT_TYPE},
            no_confirm=True,
        )
        for event in events
    ]
    # FastStream's in-memory TestKafkaBroker hands each record to its subscribers at once and
    # gives no ack to wait for (None): the fast tier publishes through this same path.
    return asyncio.gather(*(ack for ack in acks if ack is not None))


def _dead_letter_middleware(group: str) -> Callable[..., BaseMiddleware]:
    retry_delay = 1.0

    class DeadLetter(BaseMiddleware):
        async def consume_scope(
            self, call_next: Callable[[Any], Awaitable[Any]], msg: StreamMessage[Any]
        ) -> Any:
            try:
                return await call_next(msg)
            except POISON as exc:
                await _send_to_dead_letter(self.context.get("broker"), msg, exc, group)
                return None
            except StoppedMidBatch:
                raise  # nacked without a pause: the next owner of the partition takes it
            except Exception:
                # Not the message's fault (store or broker down): retry it after a pause.
                log.exception("handling failed; the message will be retried")
                await asyncio.sleep(retry_delay)
                raise

    return DeadLetter


async def _send_to_dead_letter(
    broker: KafkaBroker, msg: StreamMessage[Any], exc: BaseException, group: str
) -> None:
    await _dead_letter_record(broker, msg.raw_message, msg.body, msg.content_type, exc, group)


async def _dead_letter_record(
    broker: KafkaBroker,
    record: Any,
    body: bytes,
    content_type: str | None,
    exc: BaseException,
    group: str,
) -> None:
    topic = str(getattr(record, "topic", "unknown"))
    reason = f"{type(exc).__name__}: {exc}"[:2000]
    log.warning("dead-lettering a message from %s: %s", topic, reason)
    await broker.publish(
        body,
        topic=f"{topic}.dlq",
        key=getattr(record, "key", None),
        headers={
            "dlq-reason": reason,
            "dlq-original-topic": topic,
            "dlq-original-partition": str(getattr(record, "partition", "")),
            "dlq-original-offset": str(getattr(record, "offset", "")),
            "dlq-consumer-group": topic_group(group, topic),
            "content-type": str(content_type or "application/octet-stream"),
        },
    )


def decode_cloudevent(msg: StreamMessage[Any]) -> Any:
    """FastStream decodes only ``application/json``; CloudEvents use their own media type."""
    return json.loads(msg.body)


@dataclass(frozen=True)
class Batches:
    """Read a topic a batch of records at a time and handle the facts of different keys
    concurrently: a consumer that takes several store round trips per fact keeps up with far
    more facts a second than one that handles them one after the other.

    ``order_key`` names what must stay in order: facts with the same key are handled one
    after the other in partition order; facts with different keys may interleave. It defaults
    to the record key (the aggregate id), the only order Kafka itself keeps; a service may
    name a finer key when its effects of one aggregate's facts are independent of each other
    (e.g. the participant of a registration, when every fact about a registration names its
    participant).
    """

    max_records: int = 500
    timeout_ms: int = 10
    """How long a poll waits when nothing is buffered (records already there come at once)."""
    concurrency: int = 64
    """Keys handled at the same time."""
    order_key: Callable[[CloudEvent], str] = lambda event: event.partitionkey


class StoppedMidBatch(RuntimeError):
    """The service is stopping: the rest of the batch is left for the next consumer."""


class FactSubscriptions:
    """A service's fact handlers by topic, subscribed once each with dedupe and dead-lettering.

    ``processed`` is looked up per message because the store only exists after startup.
    With ``batches`` every topic is read a batch at a time (see :class:`Batches`); the
    guarantees are the same: each fact is handled once (dedupe by id), in order per key, a
    bad record is dead-lettered on its own and its neighbours are handled, and any other
    failure rewinds the batch (its handled facts are skipped by id on the retry).
    """

    def __init__(self, batches: Batches | None = None) -> None:
        self._handlers: dict[Topic, dict[str, FactHandler]] = {}
        self.batches = batches
        self._stopping = False

    def stop_taking(self) -> None:
        """A graceful stop: a batch under way handles no further fact. Those handled are
        marked, the rest are not committed, so the next owner of the partition takes them."""
        self._stopping = True

    def on(self, *fact_types: type[Fact]) -> Callable[[FactHandler], FactHandler]:
        def register(handler: FactHandler) -> FactHandler:
            for fact_type in fact_types:
                spec = fact_type.spec()
                self._handlers.setdefault(spec.topic, {})[spec.type] = handler
            return handler

        return register

    @property
    def topics(self) -> list[Topic]:
        return list(self._handlers)

    def attach(
        self, broker: KafkaBroker, group: str, processed: Callable[[], ProcessedEvents]
    ) -> None:
        for topic, handlers in self._handlers.items():
            subscriber = functools.partial(
                broker.subscriber,
                topic.name,
                group_id=topic_group(group, topic.name),
                auto_offset_reset="earliest",
                title=f"{group}:{topic.name}",
                description=topic.description,
            )
            if self.batches is None:
                subscriber(decoder=decode_cloudevent)(self._one_by_one(handlers, processed))
            else:
                subscriber(
                    batch=True,
                    max_records=self.batches.max_records,
                    batch_timeout_ms=self.batches.timeout_ms,
                    decoder=_records,
                )(self._in_batches(broker, group, topic, handlers, processed, self.batches))

    def _one_by_one(
        self, handlers: dict[str, FactHandler], processed: Callable[[], ProcessedEvents]
    ) -> Callable[[CloudEvent], Awaitable[None]]:
        async def consume(event: CloudEvent) -> None:
            handler = handlers.get(event.type)
            if handler is None:
                return  # a fact this service does not act on (or a newer type): skip it
            token = current_event_id.set(event.id)
            try:
                store = processed()
                if await store.seen(event.id):
                    return
                await handler(_fact_of(event), event)
                await store.mark(event.id)
            finally:
                current_event_id.reset(token)

        return consume

    def _in_batches(
        self,
        broker: KafkaBroker,
        group: str,
        topic: Topic,
        handlers: dict[str, FactHandler],
        processed: Callable[[], ProcessedEvents],
        batches: Batches,
    ) -> Callable[[Any], Awaitable[None]]:
        gate = asyncio.Semaphore(batches.concurrency)

        async def dead_letter(record: Any, exc: BaseException) -> None:
            headers = dict(_headers(record))
            content_type = headers.get("content-type")
            await _dead_letter_record(broker, record, record.value, content_type, exc, group)

        async def handle(record: Any, event: CloudEvent) -> bool:
            """True when the fact was handled now (it is to be marked)."""
            token = current_event_id.set(event.id)
            # Each fact continues the trace it was published in (the batch has none of its own).
            name = f"{topic.name} process"
            try:
                with continued(dict(_headers(record)), name, SpanKind.CONSUMER):
                    try:
                        await handlers[event.type](_fact_of(event), event)
                    except POISON as exc:
                        await dead_letter(record, exc)
                        return False
                return True
            finally:
                current_event_id.reset(token)

        async def in_order(facts: list[tuple[Any, CloudEvent]], handled: list[str]) -> None:
            async with gate:
                for record, event in facts:  # one key's facts: one after the other
                    if self._stopping:
                        raise StoppedMidBatch(topic.name)
                    if await handle(record, event):
                        handled.append(event.id)

        async def consume(records: Any) -> None:
            store = processed()
            keyed: dict[str, list[tuple[Any, CloudEvent]]] = defaultdict(list)
            wanted: list[tuple[Any, CloudEvent]] = []
            in_batch: set[str] = set()
            for record in records:
                try:
                    event = CloudEvent.model_validate(json.loads(record.value))
                except POISON as exc:
                    await dead_letter(record, exc)
                    continue
                # Others are facts this service does not act on; a second copy of a fact in the
                # same batch (a relay's duplicate) is skipped as a later redelivery would be.
                if event.type in handlers and event.id not in in_batch:
                    in_batch.add(event.id)
                    wanted.append((record, event))
            seen = await store.seen_any([event.id for _, event in wanted])
            for record, event in wanted:
                if event.id not in seen:
                    keyed[batches.order_key(event)].append((record, event))
            handled: list[str] = []
            try:
                outcomes = await asyncio.gather(
                    *(in_order(facts, handled) for facts in keyed.values()),
                    return_exceptions=True,
                )
            finally:
                # Those handled are marked even when another key failed: the retry of the
                # batch then skips them.
                await store.mark_many(handled)
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome

        return consume


def _fact_of(event: CloudEvent) -> Fact:
    try:
        return event.fact()
    except UnknownFactType as exc:
        raise PoisonMessage(f"unknown fact type {event.type}") from exc


def _records(msg: StreamMessage[Any]) -> Any:
    """A batch is handled record by record (each is parsed, and dead-lettered, on its own)."""
    return list(msg.raw_message)


def _headers(record: Any) -> list[tuple[str, str]]:
    return [(k, v.decode(errors="replace")) for k, v in (record.headers or ())]
