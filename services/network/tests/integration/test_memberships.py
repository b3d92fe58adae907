"""Memberships: join, leave, history, and the store rule under concurrent requests."""

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from samling_contracts import CloudEvent
from samling_contracts.topics import NETWORKS
from samling_devtools.infra import Stack
from samling_devtools.testing import read_topic
from samling_runtime.auth import Role

from services.network.tests.integration.conftest import (
    BODO,
    COORDINATOR,
    FAUSKE,
    SALTEN,
    auth,
    ok,
)

pytestmark = pytest.mark.integration


async def test_join_leave_and_rejoin_keep_the_history(
    client: httpx.AsyncClient, stack: Stack, new_network: Callable[..., Any]
) -> None:
    network_id = await new_network()
    url = f"/networks/{network_id}/memberships"
    first = await ok(
        await client.post(
            url, json={"municipality_id": "NO-1804", "starts_on": "2026-01-01"}, headers=BODO
        ),
        201,
    )
    again = await client.post(url, json={"municipality_id": "NO-1804"}, headers=BODO)
    assert again.status_code == 409
    assert "already a member" in again.json()["detail"]
    early = await client.post(
        f"{url}/{first['id']}/leave", json={"ends_on": "2025-12-31"}, headers=BODO
    )
    assert early.status_code == 422
    left = await ok(
        await client.post(
            f"{url}/{first['id']}/leave", json={"ends_on": "2026-06-30"}, headers=BODO
        )
    )
    assert left["active"] is False
    assert left["ends_on"] == "2026-06-30"
    twice = await client.post(f"{url}/{first['id']}/leave", json={}, headers=BODO)
    assert twice.status_code == 409
    overlapping = await client.post(
        url, json={"municipality_id": "NO-1804", "starts_on": "2026-05-01"}, headers=BODO
    )
    assert overlapping.status_code == 422
    second = await ok(
        await client.post(
            url, json={"municipality_id": "NO-1804", "starts_on": "2026-08-01"}, headers=COORDINATOR
        ),
        201,
    )
    assert second["id"] != first["id"]
    history = await ok(await client.get("/municipalities/NO-1804/memberships", headers=FAUSKE))
    mine = [m for m in history["items"] if m["network_id"] == network_id]
    assert [(m["starts_on"], m["ends_on"], m["active"]) for m in mine] == [
        ("2026-01-01", "2026-06-30", False),
        ("2026-08-01", None, True),
    ]
    active = await ok(await client.get(f"{url}?active=true", headers=FAUSKE))
    assert [m["id"] for m in active["items"]] == [second["id"]]

    def of_network(records: list[Any]) -> list[tuple[str, str]]:
        events = [CloudEvent.from_json(r.value) for r in records if r.key == network_id.encode()]
        return [
            (e.type.split(".")[-2], e.data["membership_id"])
            for e in events
            if "membership" in e.type
        ]

    records = await read_topic(stack.bootstrap, NETWORKS.name, lambda rs: len(of_network(rs)) >= 3)
    assert of_network(records) == [
        ("joined", first["id"]),
        ("left", first["id"]),
        ("joined", second["id"]),
    ]


async def test_a_municipality_admin_manages_only_its_own_membership(
    client: httpx.AsyncClient, new_network: Callable[..., Any]
) -> None:
    network_id = await new_network()
    url = f"/networks/{network_id}/memberships"
    denied = await client.post(url, json={"municipality_id": "NO-1841"}, headers=BODO)
    assert denied.status_code == 403
    malformed = await client.post(url, json={"municipality_id": "1804"}, headers=COORDINATOR)
    assert malformed.status_code == 422
    assert "write the country code and the official number" in malformed.json()["detail"]
    unknown = await client.post(url, json={"municipality_id": "NO-1999"}, headers=COORDINATOR)
    assert unknown.status_code == 422
    assert "not registered" in unknown.json()["detail"]
    joined = await ok(
        await client.post(url, json={"municipality_id": "NO-1841"}, headers=FAUSKE), 201
    )
    denied_leave = await client.post(f"{url}/{joined['id']}/leave", json={}, headers=BODO)
    assert denied_leave.status_code == 403
    missing = await client.post(f"{url}/mem_nothing/leave", json={}, headers=FAUSKE)
    assert missing.status_code == 404


async def test_municipalities_joining_at_the_same_moment_all_become_members(
    client: httpx.AsyncClient, new_network: Callable[..., Any]
) -> None:
    network_id = await new_network()
    url = f"/networks/{network_id}/memberships"
    admins = {m: auth(Role.MUNICIPALITY_ADMIN, municipality=m) for m in SALTEN}
    responses = await asyncio.gather(
        *(
            client.post(url, json={"municipality_id": m}, headers=headers)
            for m, headers in admins.items()
        )
    )
    assert [r.status_code for r in responses] == [201] * len(SALTEN)
    members = await ok(await client.get(f"{url}?active=true", headers=COORDINATOR))
    assert sorted(m["municipality_id"] for m in members["items"]) == sorted(SALTEN)


async def test_one_municipality_joining_many_times_at_once_gets_one_membership(
    client: httpx.AsyncClient, new_network: Callable[..., Any]
) -> None:
    network_id = await new_network()
    url = f"/networks/{network_id}/memberships"
    responses = await asyncio.gather(
        *(
            client.post(url, json={"municipality_id": "NO-1837"}, headers=COORDINATOR)
            for _ in range(12)
        )
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 11
    members = await ok(await client.get(url, headers=COORDINATOR))
    assert [m["municipality_id"] for m in members["items"]] == ["NO-1837"]


async def test_partners_invited_at_the_same_moment_are_all_kept(
    client: httpx.AsyncClient, new_network: Callable[..., Any]
) -> None:
    """Invitations change one network aggregate: revisions, not a shared array update."""
    network_id = await new_network()
    organisations = [f"Høgskole nummer {n}" for n in range(8)]
    responses = await asyncio.gather(
        *(
            client.post(
                f"/networks/{network_id}/partners",
                json={"organisation": name, "kind": "university"},
                headers=COORDINATOR,
            )
            for name in organisations
        )
    )
    assert [r.status_code for r in responses] == [201] * len(organisations)
    network = await ok(await client.get(f"/networks/{network_id}", headers=BODO))
    assert sorted(p["organisation"] for p in network["partners"]) == sorted(organisations)
