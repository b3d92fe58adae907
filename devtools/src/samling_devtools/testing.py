"""Helpers for tests that run services in-process against the real Kafka and FerretDB."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.structs import TopicPartition
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from samling_runtime.kafka import topic_group

# The runners and tests import the topic creator from here too; it lives in ``topics``.
from samling_devtools.topics import ensure_topics as ensure_topics

T = TypeVar("T")


@dataclass
class RunningService:
    app: FastAPI
    client: httpx.AsyncClient

    @property
    def db(self) -> AsyncDatabase[dict[str, Any]]:
        db: AsyncDatabase[dict[str, Any]] = self.app.state.runtime.mongo.db
        return db


@contextlib.asynccontextmanager
async def running(app: FastAPI, startup_timeout: float = 60) -> AsyncIterator[RunningService]:
    """Start the app's lifespan (broker, store, relay) and give an HTTP client to it."""
    async with LifespanManager(app, startup_timeout=startup_timeout, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield RunningService(app, client)


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, timeout: float = 90, interval: float = 0.1
) -> T:
    """Poll until ``probe`` returns something truthy; fail with a clear message otherwise."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def read_topic(
    bootstrap: str,
    topic: str,
    until: Callable[[list[ConsumerRecord[bytes, bytes]]], bool],
    *,
    timeout: float = 30,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read a topic from the beginning, without a consumer group, until ``until`` holds
    and nothing more is waiting."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [
                TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []
            ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = asyncio.get_running_loop().time() + timeout
        while not until(records):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{topic}: expected records did not arrive in {timeout}s")
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
        # Then read what is already there, so callers can also assert what did *not* arrive.
        while batch := await consumer.getmany(timeout_ms=500):
            for part in batch.values():
                records.extend(part)
    finally:
        await consumer.stop()
    return records


@contextlib.asynccontextmanager
async def producer(bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await p.start()
    try:
        yield p
    finally:
        await p.stop()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@contextlib.asynccontextmanager
async def mongo_db(url: str, name: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    try:
        yield client[name]
    finally:
        await client.close()


async def group_members(
    bootstrap: str, group: str, topics: list[str]
) -> dict[str, set[tuple[str, int]]]:
    """Which member of a service's consumer groups (``group`` reads each of ``topics`` with a
    group of its own) holds which (topic, partition)s."""
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        # One group per request: aiokafka fails to decode a DescribeGroups answer for several.
        responses = [
            response
            for topic in topics
            for response in await admin.describe_consumer_groups([topic_group(group, topic)])
        ]
    finally:
        await admin.close()
    members: dict[str, set[tuple[str, int]]] = {}
    for response in responses:
        for group_info in response.groups:
            for member in group_info[5]:  # (member_id, client_id, host, metadata, assignment)
                member_id, raw = member[0], member[-1]
                decoded = ConsumerProtocolMemberAssignment.decode(raw) if raw else None
                members[member_id] = {
                    (topic, p)
                    for topic, parts in (decoded.assignment if decoded else [])
                    for p in parts
                }
    return members


async def start_at_end(bootstrap: str, group: str, topics: list[str]) -> None:
    """Commit a service's consumer offsets at the end of ``topics`` (in the group it reads each
    with), so a service started with ``group`` reads only what is published from now on, not
    every earlier test's facts."""

    async def commit_end(topic: str) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=topic_group(group, topic),
            enable_auto_commit=False,
        )
        await consumer.start()
        try:

            async def partitions_known() -> set[int] | None:
                # A topic created a moment ago may not be in the broker's metadata yet.
                await consumer._client.force_metadata_update()
                known: set[int] | None = consumer.partitions_for_topic(topic)
                return known

            parts = await eventually(partitions_known, timeout=30)
            partitions = [TopicPartition(topic, p) for p in parts]
            consumer.assign(partitions)
            await consumer.commit(dict(await consumer.end_offsets(partitions)))
        finally:
            await consumer.stop()

    await asyncio.gather(*(commit_end(topic) for topic in topics))


def bearer(subject: str, role: str, **claims: Any) -> dict[str, str]:
    """An Authorization header with a development token for one role."""
    from samling_runtime.auth import Role, mint_token
    from samling_runtime.settings import ServiceSettings

    token = mint_token(ServiceSettings(), subject=subject, roles=[Role(role)], **claims)
    return {"Authorization": f"Bearer {token}"}


async def call(client: httpx.AsyncClient, method: str, url: str, expect: int, **kw: Any) -> Any:
    """One request that must answer ``expect``; the JSON body (or None)."""
    response = await client.request(method, url, **kw)
    assert response.status_code == expect, f"{method} {url}: {response.status_code} {response.text}"
    return response.json() if response.content else None


def served_operations(app: FastAPI) -> set[str]:
    """Every ``"METHOD /path"`` the app serves to callers, health checks aside.

    Read from the OpenAPI document rather than ``app.routes``: FastAPI keeps included routers
    nested there, so a walk over ``app.routes`` finds almost nothing and a "covers every
    endpoint" check built on it passes whatever the matrix leaves out.
    """
    return {
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if path not in ("/healthz", "/readyz")
    }
