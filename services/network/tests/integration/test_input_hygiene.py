"""What the network service accepts: known fields, plain text, bounded pages, and the caller's
right checked before the body (a caller without it never gets a 422 that describes the body)."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from services.network.tests.integration.conftest import (
    BODO,
    COORDINATOR,
    FAUSKE,
    OTHER_COORDINATOR,
    PARTICIPANT,
    ok,
)

pytestmark = pytest.mark.integration


async def test_an_unknown_field_is_refused_not_ignored(client: httpx.AsyncClient) -> None:
    body = {"name": "Skoleledere", "feild": "school", "field": "school"}
    response = await client.post("/networks", json=body, headers=COORDINATOR)
    assert response.status_code == 422
    assert any(p["name"].endswith("feild") for p in response.json()["invalid-params"])


@pytest.mark.parametrize("name", ["Nett\x00verk", "Nett\x1bverk", "To\nlinjer"])
async def test_control_characters_in_a_name_are_refused(
    client: httpx.AsyncClient, name: str
) -> None:
    body = {"name": name, "field": "school"}
    response = await client.post("/networks", json=body, headers=COORDINATOR)
    assert response.status_code == 422
    assert "control characters" in response.json()["detail"]


async def test_a_description_may_have_line_breaks_but_no_other_control_character(
    client: httpx.AsyncClient, new_network: Callable[..., Any]
) -> None:
    network_id = await new_network()
    url = f"/networks/{network_id}/announcements"
    fine = {"title": "Samling", "body": "Første linje.\nAndre linje.\tTab."}
    await ok(await client.post(url, json=fine, headers=COORDINATOR), 201)
    nul = {"title": "Samling", "body": "Første\x00linje"}
    assert (await client.post(url, json=nul, headers=COORDINATOR)).status_code == 422


async def test_a_caller_without_the_right_gets_403_before_the_body_is_read(
    client: httpx.AsyncClient, new_network: Callable[..., Any]
) -> None:
    network_id = await new_network()
    invalid: dict[str, Any] = {"nonsense": "\x00"}
    refused = [
        ("POST", "/networks", PARTICIPANT),
        ("POST", "/municipalities", BODO),
        ("POST", "/regions", BODO),
        ("POST", "/reports", COORDINATOR),
        ("POST", f"/networks/{network_id}/memberships", PARTICIPANT),
        ("PATCH", f"/networks/{network_id}", OTHER_COORDINATOR),
        ("POST", f"/networks/{network_id}/coordinators", OTHER_COORDINATOR),
        ("POST", f"/networks/{network_id}/partners", BODO),
        ("POST", f"/networks/{network_id}/announcements", BODO),
        ("PUT", "/municipalities/NO-1804/contacts", FAUSKE),
    ]
    for method, path, headers in refused:
        response = await client.request(method, path, json=invalid, headers=headers)
        assert response.status_code == 403, f"{method} {path}: {response.text}"
        anonymous = await client.request(method, path, json=invalid)
        assert anonymous.status_code == 401, f"{method} {path}: {anonymous.text}"


@pytest.mark.parametrize(
    "path",
    [
        "/networks?limit=0",
        "/networks?limit=201",
        "/regions?limit=-1",
        "/municipalities?limit=100000",
        "/reports?limit=201",
        "/municipalities/NO-1804/memberships?limit=0",
    ],
)
async def test_a_page_limit_out_of_range_is_refused(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path, headers=COORDINATOR)
    assert response.status_code == 422
    assert any(p["name"].endswith("limit") for p in response.json()["invalid-params"])
