"""Fixtures for the events service's integration tests (real Kafka + FerretDB)."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from samling_contracts import CONTENT_TYPE, envelope
from samling_contracts.network import MunicipalityJoinedNetwork, NetworkCreated
from samling_contracts.topics import NETWORKS
from samling_devtools.testing import RunningService, eventually, producer, running, unique
from samling_events.main import create
from samling_events.settings import EventsSettings
from samling_runtime.auth import Role, mint_token
from samling_runtime.clock import ManualClock
from samling_runtime.settings import ServiceSettings

REGION = "rkk-salten"
START = datetime(2027, 1, 10, 8, 0, tzinfo=UTC)


def headers(roles: list[Role], **claims: Any) -> dict[str, str]:
    token = mint_token(ServiceSettings(), subject=unique("u"), roles=roles, **claims)
    return {"Authorization": f"Bearer {token}"}


COORDINATOR = headers([Role.COORDINATOR], region_id=REGION)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def events(
    settings_for: Callable[..., Any], clock: ManualClock
) -> AsyncIterator[RunningService]:
    settings = settings_for(EventsSettings, sweep_interval_seconds=3600)
    async with running(create(settings, clock)) as service:
        yield service


SeedNetwork = Callable[[list[str]], Awaitable[str]]


@pytest.fixture
def seed_network(topics: str, events: RunningService) -> SeedNetwork:
    """Publish a network and its members as the network service would; wait for the view."""

    async def seed(municipalities: list[str]) -> str:
        network_id = unique("net")
        facts: list[Any] = [
            NetworkCreated(
                network_id=network_id, region_id=REGION, name="Skolenettverket", field="school"
            )
        ] + [
            MunicipalityJoinedNetwork(
                network_id=network_id,
                municipality_id=m,
                membership_id=unique("mem"),
                starts_on=date(2026, 1, 1),
            )
            for m in municipalities
        ]
        async with producer(topics) as p:
            for fact in facts:
                await p.send_and_wait(
                    NETWORKS.name,
                    envelope(fact, source="/test").to_json(),
                    key=network_id.encode(),
                    headers=[("content-type", CONTENT_TYPE.encode())],
                )

        async def seen() -> bool:
            count = await events.db["membership_view"].count_documents({"network_id": network_id})
            return count == len(municipalities)

        await eventually(seen)
        return network_id

    return seed


def new_event(network_id: str | None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "dialogue_conference",
        "network_id": network_id,
        "title": "Dialogkonferanse: Lesing i alle fag",
        "starts_at": "2027-02-10T09:00:00+01:00",
        "ends_at": "2027-02-10T15:00:00+01:00",
        "timezone": "Europe/Oslo",
        "venue": "Bodø rådhus",
        "capacity": 50,
    }
    body.update(overrides)
    return body


async def published_event(service: RunningService, network_id: str | None, **overrides: Any) -> str:
    created = await service.client.post(
        "/events", json=new_event(network_id, **overrides), headers=COORDINATOR
    )
    assert created.status_code == 201, created.text
    event_id: str = created.json()["id"]
    published = await service.client.post(f"/events/{event_id}/publish", headers=COORDINATOR)
    assert published.status_code == 200, published.text
    return event_id


def applicant(n: int, municipality: str = "NO-1804", **extra: Any) -> dict[str, Any]:
    return {
        "name": f"Person {n}",
        "email": f"person{n}@example.no",
        "municipality_id": municipality,
        "role": "Lærer",
        **extra,
    }
