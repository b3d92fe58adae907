"""Replaced contact persons leave the store once their retention has passed (docs/privacy.md)."""

from datetime import timedelta

import pytest
from samling_devtools.infra import Stack
from samling_devtools.testing import running
from samling_network.container import started_in
from samling_network.main import create
from samling_runtime.clock import TravellingClock

from services.network.tests.integration.conftest import COORDINATOR, network_settings, ok

pytestmark = pytest.mark.integration


async def test_a_replaced_contact_is_scrubbed_from_old_revisions_after_the_retention(
    stack: Stack, topics: str
) -> None:
    clock = TravellingClock()
    settings = network_settings(stack, superseded_contacts_retention_days=30)
    async with running(create(settings, clock=clock)) as service:
        client = service.client
        region = {"id": "rkk-salten", "name": "RKK Salten"}
        await ok(await client.post("/regions", json=region, headers=COORDINATOR), 201)
        old = {"name": "Åse Ørnes", "email": "ase.ornes@bodo.kommune.no"}
        body = {"country": "NO", "number": "1804", "name": "Bodø", "contacts": [old]}
        await ok(await client.post("/municipalities", json=body, headers=COORDINATOR), 201)
        new = {"contacts": [{"name": "Ola Nordmann", "email": "ola@bodo.kommune.no"}]}
        await ok(
            await client.put("/municipalities/NO-1804/contacts", json=new, headers=COORDINATOR)
        )
        revisions = service.db["municipalities_revisions"]

        async def revisions_naming(email: str) -> int:
            return sum([email in str(doc) async for doc in revisions.find({})])

        sweep = service.app.state.runtime.retention
        clock.advance(timedelta(days=29))
        await sweep.run_once()
        assert await revisions_naming(old["email"]) == 1  # still within its retention

        clock.advance(timedelta(days=2))
        await sweep.run_once()
        assert await revisions_naming(old["email"]) == 0
        assert await revisions_naming("Åse Ørnes") == 0
        assert await revisions_naming("ola@bodo.kommune.no") == 1  # the current list stays
        current = await ok(await client.get("/municipalities/NO-1804", headers=COORDINATOR))
        assert [c["email"] for c in current["contacts"]] == ["ola@bodo.kommune.no"]
        history = await started_in(service.app).get().stores.municipalities.history("NO-1804")
        assert [len(v.state.contacts) for v in history] == [0, 1]
