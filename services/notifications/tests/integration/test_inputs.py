"""What the API accepts: bounded page sizes, known fields only, plain text, subscriptions only
to things that exist, and the caller's rights decided before their body is read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from samling_contracts.network import NetworkCreated
from samling_devtools.infra import Stack
from samling_devtools.testing import eventually, running
from samling_notifications.main import create

from .facts import publish, tag
from .test_api import headers_for

pytestmark = pytest.mark.integration

SCHEDULED = "no.samling.events.event.scheduled.v1"


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    found: dict[str, Any] = response.json()
    return found


async def test_inputs_are_checked_and_rights_come_first(
    stack: Stack, notifications_settings: Callable[..., Any]
) -> None:
    network_id = f"net_{tag()}"
    async with running(create(await notifications_settings())) as service:
        client = service.client
        admin = headers_for("municipality_admin")
        system = headers_for("system")

        # Page sizes and other numbers are bounded: out of range is 422, never a 500.
        for path in ("/subscriptions", "/inbox", "/webhooks/whk_x/deliveries"):
            for limit in ("-1", "0", "100000"):
                problem(await client.get(f"{path}?limit={limit}", headers=system), 422)
        assert (await client.get("/subscriptions?limit=1", headers=admin)).status_code == 200

        # A typo in a field name is an error, not a silently ignored wish.
        problem(await client.put("/preferences/me", json={"emial": False}, headers=admin), 422)
        problem(
            await client.post(
                "/subscriptions",
                json={"target": "event_kind", "value": "workshop", "municipalty_id": "NO-1804"},
                headers=admin,
            ),
            422,
        )
        problem(
            await client.post(
                "/webhooks",
                json={"url": "https://hooks.example.no/x", "event_type": [SCHEDULED]},
                headers=system,
            ),
            422,
        )

        # Control characters in text are refused.
        problem(
            await client.post(
                "/subscriptions", json={"target": "network", "value": "net_\x00x"}, headers=admin
            ),
            422,
        )
        problem(
            await client.post(
                "/webhooks",
                json={"url": "https://hooks.example.no/\x1bx", "event_types": [SCHEDULED]},
                headers=system,
            ),
            422,
        )

        # Only things that exist can be followed: event kinds, learning arenas and levels
        # from the contracts' vocabulary, networks this service has heard of.
        for target, value in (
            ("event_kind", "party"),
            ("report_tag", "nowhere"),
            ("report_level", "galaxy"),
            ("network", network_id),
        ):
            problem(
                await client.post(
                    "/subscriptions", json={"target": target, "value": value}, headers=admin
                ),
                422,
            )
        await publish(
            stack.bootstrap,
            NetworkCreated(
                network_id=network_id, region_id="rkk-salten", name="Nytt nettverk", field="school"
            ),
        )

        async def followed() -> bool:
            response = await client.post(
                "/subscriptions", json={"target": "network", "value": network_id}, headers=admin
            )
            return response.status_code == 201

        await eventually(followed)
        for target, value in (("event_kind", "workshop"), ("report_level", "unit")):
            response = await client.post(
                "/subscriptions", json={"target": target, "value": value}, headers=admin
            )
            assert response.status_code == 201, response.text

        # Who may call is decided before the body is read: a caller without the right gets
        # 401 or 403 for a body that is wrong as well, not a 422 that tells them its rules.
        wrong = {"url": "\x00", "event_types": [], "extra": True}
        problem(await client.post("/webhooks", json=wrong), 401)
        for role in ("participant", "coordinator"):
            problem(await client.post("/webhooks", json=wrong, headers=headers_for(role)), 403)
        problem(await client.post("/webhooks", json=wrong, headers=system), 422)
        problem(await client.post("/subscriptions", json={"target": "x"}), 401)
