"""Registrations made while Kafka is down are kept and their facts published once it is back."""

import json
from typing import Any

import pytest
from samling_contracts.topics import REGISTRATIONS
from samling_devtools.infra import Stack
from samling_devtools.pytest_plugin import external
from samling_devtools.testing import RunningService, read_topic, running
from samling_events.main import create
from samling_events.settings import EventsSettings

from .conftest import COORDINATOR, SeedNetwork, applicant, published_event

pytestmark = pytest.mark.integration


@pytest.mark.skipif(external(), reason="restarts Kafka; not with an external stack")
async def test_no_fact_is_lost_while_kafka_is_down(
    events: RunningService, seed_network: SeedNetwork, stack: Stack
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=2)
    stack.kafka.stop()
    try:
        for n in range(3):
            response = await events.client.post(
                f"/events/{event_id}/registrations", json=applicant(n), headers=COORDINATOR
            )
            assert response.status_code == 201, response.text
    finally:
        stack.kafka.start()
        stack.kafka.wait_ready()

    def mine(records: list[Any]) -> list[str]:
        return [
            json.loads(r.value)["type"].split(".")[-2]
            for r in records
            if r.key == event_id.encode()
        ]

    records = await read_topic(
        stack.bootstrap, REGISTRATIONS.name, lambda rs: len(mine(rs)) >= 3, timeout=90
    )
    assert sorted(mine(records)) == ["confirmed", "confirmed", "waitlisted"]


async def test_openapi_describes_every_route(events: RunningService) -> None:
    spec = (await events.client.get("/openapi.json")).json()
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert len(operations) > 30
    assert all(op.get("summary") for op in operations)
    register = spec["paths"]["/events/{event_id}/registrations"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in register["parameters"]}
    assert "application/problem+json" in register["responses"]["409"]["content"]


async def test_the_service_restarts_on_its_own_database(settings_for: Any) -> None:
    """Index creation is repeated at every start; FerretDB must accept it again."""
    settings = settings_for(EventsSettings)
    for _ in range(2):
        async with running(create(settings)) as service:
            assert (await service.client.get("/readyz")).status_code == 200
