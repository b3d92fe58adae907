"""The foundation's promises, against the real Kafka and FerretDB:

facts flow from one service to another through the outbox, are consumed once per event id,
parse as CloudEvents with the official SDK, bad messages are dead-lettered without stopping the
consumer, /readyz follows the store, and facts made while Kafka is down are published later.
"""

import json
from collections.abc import Callable
from typing import Any

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_structured
from cloudevents.core.formats.json import JSONFormat
from samling_contracts import CONTENT_TYPE, CloudEvent, envelope
from samling_contracts.network import NetworkArchived
from samling_contracts.topics import NETWORKS
from samling_devtools.infra import Stack
from samling_devtools.pytest_plugin import external
from samling_devtools.testing import eventually, producer, read_topic, running
from samling_events.main import create as create_events
from samling_events.settings import EventsSettings
from samling_network.main import create as create_network
from samling_network.settings import NetworkSettings
from samling_runtime.store import unsent_revisions

pytestmark = pytest.mark.integration
restarts_servers = pytest.mark.skipif(
    external(), reason="stops and starts the servers, which it cannot do when they are external"
)

NEW_NETWORK = {"name": "Skoleledernettverket i Salten", "field": "school"}


def _records_for(key: str, count: int = 1) -> Callable[[list[Any]], bool]:
    return lambda records: sum(1 for r in records if r.key == key.encode()) >= count


async def test_a_fact_flows_once_from_network_to_events(
    stack: Stack, settings_for: Callable[..., Any], coordinator_headers: dict[str, str]
) -> None:
    async with (
        running(create_network(settings_for(NetworkSettings))) as network,
        running(create_events(settings_for(EventsSettings))) as events,
    ):
        response = await network.client.post(
            "/networks", json=NEW_NETWORK, headers=coordinator_headers
        )
        assert response.status_code == 201, response.text
        network_id = response.json()["id"]

        async def in_read_model() -> dict[str, Any] | None:
            return await events.db["network_view"].find_one({"_id": network_id})

        view = await eventually(in_read_model)
        assert view["name"] == NEW_NETWORK["name"]

        # An independent consumer sees a CloudEvent the official SDK parses, keyed by the network.
        records = await read_topic(stack.bootstrap, NETWORKS.name, _records_for(network_id))
        record = next(r for r in records if r.key == network_id.encode())
        parsed = from_structured(
            KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value),
            JSONFormat(),
        )
        assert parsed.get_type() == "no.samling.network.network.created.v1"
        assert parsed.get_extension("partitionkey") == network_id
        assert dict(record.headers)["content-type"] == CONTENT_TYPE.encode()

        # Deliver the same event again. If it were applied twice, the name would be restored.
        await events.db["network_view"].update_one(
            {"_id": network_id}, {"$set": {"name": "changed"}}
        )
        archived = envelope(NetworkArchived(network_id=network_id), source="/test")
        async with producer(stack.bootstrap) as p:
            await p.send_and_wait(
                NETWORKS.name, record.value, key=record.key, headers=list(record.headers)
            )
            await p.send_and_wait(
                NETWORKS.name,
                archived.to_json(),
                key=record.key,
                headers=[("content-type", CONTENT_TYPE.encode())],
            )

        async def archived_in_view() -> dict[str, Any] | None:
            return await events.db["network_view"].find_one({"_id": network_id, "archived": True})

        view = await eventually(archived_in_view)
        assert view["name"] == "changed"
        assert await events.db["processed_events"].count_documents({}) >= 2


async def test_a_malformed_message_is_dead_lettered_and_the_consumer_goes_on(
    stack: Stack, settings_for: Callable[..., Any]
) -> None:
    settings = settings_for(EventsSettings)
    async with running(create_events(settings)) as events:
        key = b"net_dead_letter_probe"
        good = envelope(NetworkArchived(network_id="net_dead_letter_probe"), source="/test")
        bad_json = b"{not json"
        bad_data = json.dumps(
            {
                **good.model_dump(mode="json"),
                "id": "bad-data",
                "type": "no.samling.network.network.created.v1",
            }
        ).encode()
        async with producer(stack.bootstrap) as p:
            for value in (bad_json, bad_data):
                await p.send_and_wait(
                    NETWORKS.name, value, key=key, headers=[("content-type", CONTENT_TYPE.encode())]
                )
            await events.db["network_view"].insert_one({"_id": "net_dead_letter_probe"})
            await p.send_and_wait(
                NETWORKS.name,
                good.to_json(),
                key=key,
                headers=[("content-type", CONTENT_TYPE.encode())],
            )

        async def consumer_went_on() -> dict[str, Any] | None:
            return await events.db["network_view"].find_one(
                {"_id": "net_dead_letter_probe", "archived": True}
            )

        await eventually(consumer_went_on)
        records = await read_topic(
            stack.bootstrap,
            NETWORKS.dead_letter,
            lambda rs: {bad_json, bad_data} <= {r.value for r in rs},
        )
        by_value = {r.value: dict(r.headers) for r in records}
        assert b"JSONDecodeError" in by_value[bad_json]["dlq-reason"]
        assert b"ValidationError" in by_value[bad_data]["dlq-reason"]
        assert by_value[bad_data]["dlq-original-topic"] == NETWORKS.name.encode()
        # The group that gave up: the events service's group for this topic.
        group = f"{settings.consumer_group}.{NETWORKS.name}"
        assert by_value[bad_data]["dlq-consumer-group"] == group.encode()


@restarts_servers
async def test_readyz_follows_the_store_without_a_restart(
    stack: Stack, settings_for: Callable[..., Any]
) -> None:
    async with running(create_network(settings_for(NetworkSettings))) as network:
        assert (await network.client.get("/readyz")).status_code == 200
        stack.store.stop()
        try:
            response = await network.client.get("/readyz")
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["checks"]["store"].startswith("unavailable")
            assert response.json()["checks"]["kafka"] == "ok"
        finally:
            stack.store.start()
            stack.store.wait_ready()

        async def ready() -> bool:
            return (await network.client.get("/readyz")).status_code == 200

        await eventually(ready, timeout=30)


@restarts_servers
async def test_postgres_down_under_ferretdb_is_a_503_and_loses_nothing(
    stack: Stack, settings_for: Callable[..., Any], coordinator_headers: dict[str, str]
) -> None:
    async with running(create_network(settings_for(NetworkSettings))) as network:
        created = await network.client.post(
            "/networks", json=NEW_NETWORK, headers=coordinator_headers
        )
        assert created.status_code == 201, created.text
        network_id = created.json()["id"]
        stack.postgres.stop()
        try:
            assert stack.ferretdb.is_running  # FerretDB answers; the database under it does not
            readiness = await network.client.get("/readyz")
            assert readiness.status_code == 503
            assert readiness.json()["checks"]["store"].startswith("unavailable")
            for response in (
                await network.client.post(
                    "/networks",
                    json={**NEW_NETWORK, "name": "Nettverk under feil"},
                    headers=coordinator_headers,
                ),
                await network.client.get(f"/networks/{network_id}", headers=coordinator_headers),
            ):
                assert response.status_code == 503, response.text
                assert response.headers["content-type"] == "application/problem+json"
                assert response.headers["retry-after"]
                assert response.json()["type"].endswith("/store-unavailable")
        finally:
            stack.postgres.start()
            stack.postgres.wait_ready()

        async def ready() -> bool:
            return (await network.client.get("/readyz")).status_code == 200

        await eventually(ready, timeout=30)
        kept = await network.client.get(f"/networks/{network_id}", headers=coordinator_headers)
        assert kept.status_code == 200, kept.text
        assert kept.json()["name"] == NEW_NETWORK["name"]


@restarts_servers
async def test_facts_made_while_kafka_is_down_are_published_once_it_is_back(
    stack: Stack, settings_for: Callable[..., Any], coordinator_headers: dict[str, str]
) -> None:
    async with running(create_network(settings_for(NetworkSettings))) as network:
        stack.kafka.stop()
        try:
            ids = []
            for n in range(3):
                response = await network.client.post(
                    "/networks",
                    json={**NEW_NETWORK, "name": f"Nettverk {n} Øst"},
                    headers=coordinator_headers,
                )
                assert response.status_code == 201, response.text
                ids.append(response.json()["id"])
        finally:
            stack.kafka.start()
            stack.kafka.wait_ready()

        records = await read_topic(
            stack.bootstrap,
            NETWORKS.name,
            lambda rs: all(_records_for(i)(rs) for i in ids),
            timeout=90,
        )
        # Give the relay time to (wrongly) send again, then count by event id.
        revisions = network.db["networks_revisions"]

        async def all_marked() -> bool:
            unsent = await unsent_revisions(revisions, network.db["networks_sent"])
            return not any(r["aggregate_id"] in ids for r in unsent)

        await eventually(all_marked, timeout=30)
        records = await read_topic(
            stack.bootstrap, NETWORKS.name, lambda rs: all(_records_for(i)(rs) for i in ids)
        )
        events = [CloudEvent.from_json(r.value) for r in records if r.key and r.key.decode() in ids]
        assert sorted(e.partitionkey for e in events) == sorted(ids)
        assert len({e.id for e in events}) == len(events) == 3
