"""No fact without its state, no state without its fact: with Kafka stopped, membership and
report changes still succeed, and once Kafka is back every fact arrives exactly once."""

from typing import Any

import pytest
from samling_contracts import CloudEvent
from samling_contracts.topics import NETWORKS, REPORTS
from samling_devtools.infra import Stack
from samling_devtools.pytest_plugin import external
from samling_devtools.testing import eventually, read_topic, running
from samling_network.main import create
from samling_runtime.store import unsent_revisions

from services.network.tests.integration.conftest import (
    BODO,
    COORDINATOR,
    FAUSKE,
    network_settings,
    ok,
    seed_salten,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(external(), reason="stops the broker; runs with the session's own stack"),
]


async def test_membership_and_report_facts_made_while_kafka_is_down_arrive_once(
    stack: Stack, topics: str
) -> None:
    async with running(create(network_settings(stack))) as service:
        client = service.client
        await seed_salten(client)
        network = await ok(
            await client.post(
                "/networks", json={"name": "Nettverk i uvær", "field": "care"}, headers=COORDINATOR
            ),
            201,
        )
        network_id = network["id"]
        stack.kafka.stop()
        try:
            url = f"/networks/{network_id}/memberships"
            bodo = await ok(
                await client.post(url, json={"municipality_id": "NO-1804"}, headers=BODO), 201
            )
            await ok(
                await client.post(url, json={"municipality_id": "NO-1841"}, headers=FAUSKE), 201
            )
            await ok(await client.post(f"{url}/{bodo['id']}/leave", json={}, headers=BODO))
            report = await ok(
                await client.post(
                    "/reports",
                    json={
                        "title": "Skrevet mens Kafka sov",
                        "body": {"template": "free_text", "text": "Det går bra likevel."},
                        "tags": {"language": "nb"},
                        "visibility": "region",
                    },
                    headers=BODO,
                ),
                201,
            )
            report_id = report["id"]
            await ok(await client.post(f"/reports/{report_id}/publish", headers=BODO))
            await ok(
                await client.patch(
                    f"/reports/{report_id}", json={"title": "Revidert"}, headers=BODO
                )
            )
            await ok(await client.post(f"/reports/{report_id}/withdraw", headers=BODO))
        finally:
            stack.kafka.start()
            stack.kafka.wait_ready()

        async def all_sent() -> bool:
            pending = 0
            for name in ("memberships", "reports"):
                revisions, sent = service.db[f"{name}_revisions"], service.db[f"{name}_sent"]
                pending += len(await unsent_revisions(revisions, sent))
            return pending == 0

        await eventually(all_sent, timeout=90)

        def of(key: str, records: list[Any], kind: str) -> list[CloudEvent]:
            events = [CloudEvent.from_json(r.value) for r in records if r.key == key.encode()]
            return [e for e in events if kind in e.type]

        networks = await read_topic(
            stack.bootstrap, NETWORKS.name, lambda rs: len(of(network_id, rs, "membership")) >= 3
        )
        memberships = of(network_id, networks, "membership")
        assert [e.type.split(".")[-2] for e in memberships] == ["joined", "joined", "left"]
        assert len({e.id for e in memberships}) == 3
        reports = await read_topic(
            stack.bootstrap, REPORTS.name, lambda rs: len(of(report_id, rs, "report")) >= 3
        )
        report_facts = of(report_id, reports, "report")
        assert [e.type.split(".")[-2] for e in report_facts] == [
            "published",
            "revised",
            "withdrawn",
        ]
        assert len({e.id for e in report_facts}) == 3
