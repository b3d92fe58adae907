"""Two replicas of one service in one consumer group share the partitions; when one stops
mid-stream the other takes over its partitions, and nothing is lost or handled twice.

This is the mechanism deploy/k8s/README.md describes, shown with the runtime's own service
shape (``create_app`` + ``FactSubscriptions``) so it does not depend on any one service's
handlers: each replica records the facts it handled in a collection keyed by event id. It
uses the quiet webhooks topic, because a new consumer group reads its topic from the start.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from pymongo.errors import DuplicateKeyError
from samling_contracts import CONTENT_TYPE, CloudEvent, envelope
from samling_contracts.notifications import WebhookEndpointDisabled
from samling_contracts.topics import WEBHOOKS
from samling_devtools.testing import eventually, producer, running, unique
from samling_runtime.kafka import Batches, FactSubscriptions
from samling_runtime.service import RuntimeRef, ServiceSpec, create_app
from samling_runtime.settings import ServiceSettings

pytestmark = pytest.mark.integration


def replica(
    settings: ServiceSettings,
    name: str,
    doubled: list[str],
    run: str,
    batches: Batches | None = None,
    pause: float = 0.0,
) -> Any:
    """A replica that records the facts of this test run (older records on the topic are
    skipped cheaply: a new group starts at the beginning of the topic); ``pause`` is the time
    each of this run's facts takes."""

    def subscriptions(runtime: RuntimeRef) -> FactSubscriptions:
        subs = FactSubscriptions(batches)

        @subs.on(WebhookEndpointDisabled)
        async def handle(fact: WebhookEndpointDisabled, event: CloudEvent) -> None:
            if not fact.endpoint_id.startswith(run):
                return
            await asyncio.sleep(pause)
            handled = runtime().mongo.db["handled"]
            try:
                await handled.insert_one(
                    {"_id": event.id, "replica": name, "endpoint_id": fact.endpoint_id}
                )
            except DuplicateKeyError:
                doubled.append(event.id)

        return subs

    return create_app(
        ServiceSpec(
            name="scaling",
            title="scaling probe",
            description="Two replicas, one group.",
            settings=settings,
            subscriptions=subscriptions,
        )
    )


async def publish(bootstrap: str, prefix: str, count: int) -> list[str]:
    """``count`` facts with distinct keys, so they spread over every partition."""
    ids = []
    async with producer(bootstrap) as p:
        for i in range(count):
            fact = WebhookEndpointDisabled(
                endpoint_id=f"{prefix}-{i}", owner_id="NO-1804", reason="410 Gone"
            )
            event = envelope(fact, source="/test")
            await p.send_and_wait(
                WEBHOOKS.name,
                event.to_json(),
                key=event.partitionkey.encode(),
                headers=[("content-type", CONTENT_TYPE.encode())],
            )
            ids.append(event.id)
    return ids


async def test_a_replica_takes_over_the_partitions_of_one_that_stops(
    settings_for: Callable[..., Any], topics: str
) -> None:
    settings = settings_for(ServiceSettings)  # one database, one consumer group, two replicas
    doubled: list[str] = []
    run = unique("scale")
    async with (
        contextlib.AsyncExitStack() as first_replica,
        running(replica(settings, "b", doubled, run)) as b,
    ):
        await first_replica.enter_async_context(running(replica(settings, "a", doubled, run)))
        handled = b.db["handled"]

        async def all_handled(ids: list[str]) -> bool:
            return await handled.count_documents({"_id": {"$in": ids}}) == len(ids)

        # Both replicas share the topic's partitions: each handles part of the stream.
        before = await publish(topics, f"{run}-1", 60)
        await eventually(lambda: all_handled(before), timeout=60)
        shares = Counter([d["replica"] async for d in handled.find({"_id": {"$in": before}})])
        assert set(shares) == {"a", "b"}, shares

        # Replica a stops in the middle of the stream; b gets its partitions.
        during = await publish(topics, f"{run}-2", 20)
        await first_replica.aclose()
        after = await publish(topics, f"{run}-3", 60)
        await eventually(lambda: all_handled(during + after), timeout=60)

        by_after = Counter([d["replica"] async for d in handled.find({"_id": {"$in": after}})])
        assert by_after == {"b": len(after)}
        ours = before + during + after
        assert await handled.count_documents({"_id": {"$in": ours}}) == len(ours)
        assert doubled == []  # no fact's effect was applied twice
        keys = [f"{settings.consumer_group}:{event_id}" for event_id in ours]
        assert await b.db["processed_events"].count_documents({"_id": {"$in": keys}}) == len(ours)


async def test_a_replica_stopped_mid_batch_leaves_the_rest_to_the_next(
    settings_for: Callable[..., Any], topics: str
) -> None:
    """A graceful stop does not wait for a long batch: the facts under way finish, the rest
    stay uncommitted, and the next replica handles them; none is lost or handled twice."""
    settings = settings_for(ServiceSettings)
    doubled: list[str] = []
    run = unique("batch")
    batches = Batches(concurrency=2)
    ours = await publish(topics, run, 200)  # one batch for the first replica: 20 s of work
    loop = asyncio.get_running_loop()
    async with contextlib.AsyncExitStack() as first_replica:
        a = await first_replica.enter_async_context(
            running(replica(settings, "a", doubled, run, batches, pause=0.2))
        )
        handled = a.db["handled"]
        await eventually(lambda: handled.count_documents({"_id": {"$in": ours}}), timeout=60)
        started = loop.time()
        await first_replica.aclose()
        stopping = loop.time() - started
    async with running(replica(settings, "b", doubled, run, batches)) as b:
        handled = b.db["handled"]
        by_a = await handled.count_documents({"_id": {"$in": ours}, "replica": "a"})

        async def all_handled() -> bool:
            return await handled.count_documents({"_id": {"$in": ours}}) == len(ours)

        await eventually(all_handled, timeout=60)
        by_b = await handled.count_documents({"_id": {"$in": ours}, "replica": "b"})
    # Waiting for the batch would take until the broker's 10 s graceful timeout cancels it.
    assert stopping < 8, f"the stop waited {stopping:.1f} s for the batch"
    assert by_a < len(ours), "the first replica finished the whole batch before stopping"
    assert by_a + by_b == len(ours)
    assert doubled == []


async def test_replicas_beyond_the_partition_count_idle_but_serve_http(
    settings_for: Callable[..., Any], topics: str
) -> None:
    settings = settings_for(ServiceSettings)
    names = ["a", "b", "c", "d"]  # four replicas, three partitions
    run = unique("idle")
    async with contextlib.AsyncExitStack() as replicas:
        started = [
            await replicas.enter_async_context(running(replica(settings, name, [], run)))
            for name in names
        ]
        handled = started[0].db["handled"]

        async def all_handled(ids: list[str]) -> bool:
            return await handled.count_documents({"_id": {"$in": ids}}) == len(ids)

        warm_up = await publish(topics, f"{run}-warm", 30)  # lets the group settle
        await eventually(lambda: all_handled(warm_up), timeout=60)
        measured = await publish(topics, f"{run}-measured", 60)
        await eventually(lambda: all_handled(measured), timeout=60)

        shares = Counter([d["replica"] async for d in handled.find({"_id": {"$in": measured}})])
        assert len(shares) == WEBHOOKS.partitions, shares
        (idle,) = set(names) - set(shares)
        response = await started[names.index(idle)].client.get("/readyz")
        assert response.status_code == 200
