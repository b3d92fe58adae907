"""The demo data: created through the API, and seeding twice changes nothing."""

from typing import Any

import pytest
from samling_devtools.infra import Stack
from samling_devtools.testing import running
from samling_network.demo import MUNICIPALITIES, seed, try_it
from samling_network.main import create

from services.network.tests.integration.conftest import PARTICIPANT, network_settings, ok

pytestmark = pytest.mark.integration

COLLECTIONS = ("regions", "municipalities", "networks", "memberships", "announcements", "reports")


async def snapshot(db: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        name: [
            doc async for doc in db[f"{name}_revisions"].find({}, {"pending": 0}, sort=[("_id", 1)])
        ]
        for name in COLLECTIONS
    }


async def test_seeding_twice_yields_the_same_data(stack: Stack, topics: str) -> None:
    async with running(create(network_settings(stack))) as service:
        first = await seed(service.client)
        before = await snapshot(service.db)
        second = await seed(service.client)
        assert second == first
        assert await snapshot(service.db) == before

        assert len(before["municipalities"]) == len(MUNICIPALITIES) == 9
        assert len(before["networks"]) == 3 + 2  # two partner invitations are revisions
        names = {d["state"]["name"] for d in before["municipalities"]}
        assert {"Bodø", "Gildeskål", "Sørfold", "Hamarøy"} <= names
        domains = {d["state"]["id"]: d["state"]["email_domains"] for d in before["municipalities"]}
        assert domains["NO-1804"] == ["bodo.kommune.no"]
        assert all(domains.values())
        digital = await ok(
            await service.client.get(
                f"/networks/{first.networks['digital']}/memberships?active=true",
                headers=PARTICIPANT,
            )
        )
        assert len(digital["items"]) == 9
        found = await ok(await service.client.get("/reports?q=lesevenner", headers=PARTICIPANT))
        assert [r["title"] for r in found["items"]] == ["Lesevenner på tvers av trinn"]
        templates = {
            r["body"]["template"]
            for r in before["reports"]
            and (await ok(await service.client.get("/reports", headers=PARTICIPANT)))["items"]
        }
        assert templates == {"smtte", "practice"}
        assert any("reports?q=lesevenner" in line for line in try_it("http://x"))
