"""Tests for the local infrastructure: the real Kafka and FerretDB processes."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError, PyMongoError
from samling_devtools.infra import (
    FerretDBServer,
    InfraError,
    KafkaServer,
    Stack,
    TopicSpec,
    cache_dir,
    create_topics,
    free_port,
    port_in_use,
)
from samling_devtools.pytest_plugin import external
from samling_devtools.testing import eventually

needs_own_stack = pytest.mark.skipif(
    external(), reason="restarts servers; not possible with SAMLING_TEST_EXTERNAL=1"
)


# --- no servers needed --------------------------------------------------------


def test_free_port_is_free_and_port_in_use_detects_listener() -> None:
    import socket

    port = free_port()
    assert not port_in_use(port)
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        s.listen()
        assert port_in_use(port)


def test_cache_dir_follows_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SAMLING_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("SAMLING_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "x" / "samling"


def test_missing_artefacts_point_to_install_script(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SAMLING_CACHE_DIR", str(tmp_path))
    kafka = KafkaServer(free_port(), free_port(), tmp_path / "k", tmp_path / "logs")
    with pytest.raises(InfraError, match=r"run deploy/local/install\.sh"):
        kafka.start()
    ferret = FerretDBServer(free_port(), tmp_path / "f", tmp_path / "logs", "postgres://x/ferretdb")
    with pytest.raises(InfraError, match=r"run deploy/local/install\.sh"):
        ferret.start()


# --- integration --------------------------------------------------------------


def _topic() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.mark.integration
def test_port_in_use_is_refused_with_hint(stack: Stack) -> None:
    other = FerretDBServer(
        stack.ferretdb.port, Path("/nonexistent"), Path("/nonexistent"), stack.postgres.url()
    )
    other.port_env = {stack.ferretdb.port: "SAMLING_TEST_MONGO_PORT"}
    with pytest.raises(InfraError, match="in use: stop the other FerretDB or set SAMLING_TEST"):
        other.start()


@pytest.mark.integration
async def test_produce_and_consume_one_message(kafka_bootstrap: str) -> None:
    topic = _topic()
    await create_topics(kafka_bootstrap, [TopicSpec(topic, partitions=1)])
    await create_topics(kafka_bootstrap, [TopicSpec(topic, partitions=1)])  # idempotent

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello", key=b"k")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        msg = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert (msg.key, msg.value) == (b"k", b"hello")


@pytest.mark.integration
async def test_unique_index_rejects_duplicate(mongo_url: str, unique_db_name: str) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url)
    try:
        coll = client[unique_db_name]["people"]
        await coll.create_index("email", unique=True)
        await coll.insert_one({"email": "a@example.org"})
        with pytest.raises(DuplicateKeyError):
            await coll.insert_one({"email": "a@example.org"})
    finally:
        await client.close()


@pytest.mark.integration
@needs_own_stack
async def test_store_data_survives_restart(stack: Stack, unique_db_name: str) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url)
    try:
        await client[unique_db_name]["c"].insert_one({"_id": 1, "v": "kept"})
    finally:
        await client.close()

    await asyncio.to_thread(stack.store.stop)
    assert not stack.ferretdb.is_running
    assert not stack.postgres.is_running
    await asyncio.to_thread(stack.store.start)
    await asyncio.to_thread(stack.store.wait_ready)

    client = AsyncMongoClient(stack.mongo_url)
    try:
        doc = await client[unique_db_name]["c"].find_one({"_id": 1})
    finally:
        await client.close()
    assert doc == {"_id": 1, "v": "kept"}


@pytest.mark.integration
@needs_own_stack
async def test_kafka_topic_survives_restart(stack: Stack) -> None:
    topic = _topic()
    await create_topics(stack.bootstrap, [TopicSpec(topic)])

    await asyncio.to_thread(stack.kafka.stop)
    assert not stack.kafka.is_running
    await asyncio.to_thread(stack.kafka.start)
    await asyncio.to_thread(stack.kafka.wait_ready)

    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    assert described[0]["error_code"] == 0
    assert len(described[0]["partitions"]) == 3


@pytest.mark.integration
@needs_own_stack
async def test_ferretdb_comes_back_with_its_data_after_postgres_stops_under_it(
    stack: Stack, unique_db_name: str
) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        stack.mongo_url, serverSelectionTimeoutMS=3000
    )
    try:
        coll = client[unique_db_name]["c"]
        await coll.insert_one({"_id": "before", "v": "kept"})
        await asyncio.to_thread(stack.postgres.stop)
        try:
            assert stack.ferretdb.is_running
            with pytest.raises(PyMongoError):
                await coll.insert_one({"_id": "during"})
        finally:
            await asyncio.to_thread(stack.postgres.start)
            await asyncio.to_thread(stack.postgres.wait_ready)

        async def writes_again() -> bool:
            try:
                await coll.insert_one({"_id": "after"})
            except PyMongoError:
                return False
            return True

        await eventually(writes_again, timeout=30)
        assert {d["_id"] async for d in coll.find({})} == {"before", "after"}
    finally:
        await client.close()


@pytest.mark.integration
async def test_an_index_made_through_ferretdb_answers_its_equality_filter(
    stack: Stack, unique_db_name: str
) -> None:
    """FerretDB's own B-tree cannot answer the ``@>`` it pushes down; its GIN companion can.

    (The test PostgreSQL plans a sequential scan only when no index fits, so the plans of a
    small table say which index would serve a large one.)"""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url)
    try:
        db = client[unique_db_name]
        await db["regs"].insert_many(
            [{"_id": f"r{n}", "event_id": f"e{n % 50}"} for n in range(500)]
        )
        await db["regs"].create_index("event_id")
        plan = await db.command({"explain": {"find": "regs", "filter": {"event_id": "e7"}}})
        by_id = await db.command({"explain": {"find": "regs", "filter": {"_id": "r7"}}})
    finally:
        await client.close()
    methods = stack.postgres.psql(
        "SELECT am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :'schema' AND c.relname LIKE 'regs%' ORDER BY 1",
        schema=unique_db_name,
    ).split()
    assert methods == ["btree", "btree", "gin", "gin"]  # _id and event_id, each twice
    assert "Index Scan" in str(plan["queryPlanner"])  # bitmap or plain, never Seq Scan
    assert "Index Scan" in str(by_id["queryPlanner"])
