"""Fixtures for the network service's integration tests (real Kafka and FerretDB)."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from samling_devtools.infra import Stack
from samling_devtools.testing import RunningService, running, unique
from samling_network.main import create
from samling_network.settings import NetworkSettings
from samling_runtime.auth import Role, mint_token
from samling_runtime.settings import ServiceSettings

REGION = "rkk-salten"
SALTEN = {"NO-1804": "Bodø", "NO-1841": "Fauske", "NO-1837": "Meløy", "NO-1848": "Steigen"}

Headers = dict[str, str]


def auth(
    role: Role,
    *,
    subject: str | None = None,
    region: str | None = None,
    municipality: str | None = None,
) -> Headers:
    token = mint_token(
        ServiceSettings(),
        subject=subject or f"u-{role}-{region or municipality or 'x'}",
        roles=[role],
        region_id=region,
        municipality_id=municipality,
    )
    return {"Authorization": f"Bearer {token}"}


COORDINATOR = auth(Role.COORDINATOR, region=REGION)
OTHER_COORDINATOR = auth(Role.COORDINATOR, region="rkk-other")
BODO = auth(Role.MUNICIPALITY_ADMIN, municipality="NO-1804")
FAUSKE = auth(Role.MUNICIPALITY_ADMIN, municipality="NO-1841")
MELOY = auth(Role.MUNICIPALITY_ADMIN, municipality="NO-1837")
STEIGEN = auth(Role.MUNICIPALITY_ADMIN, municipality="NO-1848")
PARTICIPANT = auth(Role.PARTICIPANT, subject="u-kari")
SYSTEM = auth(Role.SYSTEM, subject="client-hr")


def network_settings(stack: Stack, **overrides: Any) -> NetworkSettings:
    run = unique("net").replace("-", "_")
    values: dict[str, Any] = {
        "environment": "test",
        "kafka_bootstrap": stack.bootstrap,
        "mongo_url": stack.mongo_url,
        "mongo_db": run,
        "consumer_group": run,
        "relay_interval_seconds": 0.2,
        **overrides,
    }
    return NetworkSettings(**values)


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json()


async def seed_salten(client: httpx.AsyncClient) -> None:
    """Region RKK Salten with four of its municipalities, each with a contact person."""
    await ok(
        await client.post(
            "/regions", json={"id": REGION, "name": "RKK Salten"}, headers=COORDINATOR
        ),
        201,
    )
    for municipality_id, name in SALTEN.items():
        number = municipality_id.split("-")[1]
        body = {
            "country": "NO",
            "number": number,
            "name": name,
            "contacts": [{"name": f"Kontakt i {name}", "email": f"post@k{number}.no"}],
        }
        await ok(await client.post("/municipalities", json=body, headers=COORDINATOR), 201)


@pytest.fixture(scope="module")
async def service(stack: Stack, topics: str) -> AsyncIterator[RunningService]:
    """One running network service per test module, with Salten seeded."""
    async with running(create(network_settings(stack))) as running_service:
        await seed_salten(running_service.client)
        yield running_service


@pytest.fixture(scope="module")
def client(service: RunningService) -> httpx.AsyncClient:
    return service.client


@pytest.fixture(scope="module")
def new_network(client: httpx.AsyncClient) -> Callable[..., Any]:
    async def make(name: str = "Skoleledernettverket i Salten", field: str = "school") -> str:
        body = {"name": name, "field": field, "description": "Ledelse av lærende skoler."}
        created = await ok(await client.post("/networks", json=body, headers=COORDINATOR), 201)
        network_id: str = created["id"]
        return network_id

    return make
