"""Webhooks end to end (signature, retries with one webhook-id, replay, 410 disables and tells
the owner, a fact per final outcome) and the role x endpoint matrix of the REST API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from samling_contracts import CloudEvent
from samling_contracts.topics import DELIVERIES, WEBHOOKS
from samling_devtools.infra import Stack
from samling_devtools.processes import free_port
from samling_devtools.testing import eventually, read_topic, running, served_operations
from samling_notifications.adapters.webhooks_out import delivery_id
from samling_notifications.domain.webhooks import MAX_ATTEMPTS
from samling_notifications.main import create
from samling_notifications.settings import NotificationsSettings
from samling_runtime.auth import Role, mint_token
from samling_runtime.clock import ManualClock
from samling_runtime.settings import ServiceSettings
from standardwebhooks import Webhook

from .facts import World, publish

pytestmark = pytest.mark.integration

SCHEDULED = "no.samling.events.event.scheduled.v1"


class Receiver:
    """A webhook receiver: /flaky fails once then accepts, /gone answers 410."""

    def __init__(self) -> None:
        self.calls: dict[str, list[tuple[dict[str, str], bytes]]] = {"flaky": [], "gone": []}
        self.app = FastAPI()

        @self.app.post("/{name}")
        async def hook(name: str, request: Request) -> Response:
            self.calls[name].append((dict(request.headers), await request.body()))
            if name == "gone":
                return Response(status_code=410)
            return Response(status_code=500 if len(self.calls[name]) == 1 else 204)


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return bool(server.started)

    await eventually(started)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def headers_for(role: str | None) -> dict[str, str]:
    claims: dict[str, dict[str, Any]] = {
        "coordinator": {
            "subject": "u-coord",
            "roles": [Role.COORDINATOR],
            "region_id": "rkk-salten",
        },
        "municipality_admin": {
            "subject": "u-admin",
            "roles": [Role.MUNICIPALITY_ADMIN],
            "municipality_id": "NO-1804",
            "email": "admin@bodo.example.no",
        },
        "participant": {
            "subject": "u-kari",
            "roles": [Role.PARTICIPANT],
            "email": "kari@example.no",
        },
        "system": {"subject": "client-hr", "roles": [Role.SYSTEM]},
    }
    if role is None:
        return {}
    return {"Authorization": f"Bearer {mint_token(ServiceSettings(), **claims[role])}"}


ROLES = ["coordinator", "municipality_admin", "participant", "system", None]


async def test_webhooks_and_the_role_matrix(
    stack: Stack, notifications_settings: Callable[..., Any]
) -> None:
    receiver = Receiver()
    world = World()
    async with (
        serving(receiver.app) as base,
        running(create(await notifications_settings())) as service,
    ):
        client = service.client
        system = headers_for("system")
        made = await client.post(
            "/webhooks", json={"url": f"{base}/flaky", "event_types": [SCHEDULED]}, headers=system
        )
        assert made.status_code == 201, made.text
        endpoint = made.json()
        gone = (
            await client.post(
                "/webhooks",
                json={"url": f"{base}/gone", "event_types": [SCHEDULED]},
                headers=system,
            )
        ).json()
        (event,) = await publish(stack.bootstrap, world.event())

        async def delivered() -> bool:
            return len(receiver.calls["flaky"]) >= 2 and len(receiver.calls["gone"]) >= 1

        await eventually(delivered)
        (first_headers, body), (second_headers, _) = receiver.calls["flaky"][:2]
        assert first_headers["webhook-id"] == second_headers["webhook-id"]
        payload = Webhook(endpoint["secret"]).verify(body, second_headers)
        assert payload["id"] == event.id
        assert payload["type"] == SCHEDULED

        async def logged() -> Any:
            page = (
                await client.get(f"/webhooks/{endpoint['id']}/deliveries", headers=system)
            ).json()
            return page if page["items"] and page["items"][0]["status"] == "delivered" else None

        page = await eventually(logged)
        delivery = page["items"][0]
        assert delivery["attempts"] == 2
        assert delivery["id"] == first_headers["webhook-id"]
        replay = await client.post(
            f"/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/replay", headers=system
        )
        assert replay.status_code == 202

        async def replayed() -> bool:
            return len(receiver.calls["flaky"]) == 3

        await eventually(replayed)
        assert receiver.calls["flaky"][2][0]["webhook-id"] == delivery["id"]

        # Every final outcome is a fact on the deliveries topic: the first delivery and the
        # replay sent, the delivery to the endpoint that answered 410 failed.
        gone_delivery = delivery_id(gone["id"], event.id)

        def outcomes(records: list[Any]) -> list[CloudEvent]:
            keys = {delivery["id"].encode(), gone_delivery.encode()}
            return [CloudEvent.from_json(r.value) for r in records if r.key in keys]

        records = await read_topic(
            stack.bootstrap, DELIVERIES.name, lambda rs: len(outcomes(rs)) >= 3
        )
        facts = sorted(
            (f.type.split(".")[-2], f.data["notification_id"]) for f in outcomes(records)
        )
        assert facts == [
            ("failed", gone_delivery),
            ("sent", delivery["id"]),
            ("sent", delivery["id"]),
        ]
        for fact in outcomes(records):
            assert fact.data["channel"] == "webhook"
            assert fact.data["kind"] == SCHEDULED
            assert fact.data["source_event_id"] == event.id
            assert fact.data["recipient_id"] in (endpoint["id"], gone["id"])
        (failed,) = [f for f in outcomes(records) if f.type.endswith(".failed.v1")]
        assert failed.data["reason"] == "410 Gone"

        # 410 Gone disabled the other endpoint, and its owner hears of it through a fact.
        async def disabled() -> Any:
            found = (await client.get(f"/webhooks/{gone['id']}", headers=system)).json()
            return found if found["enabled"] is False else None

        assert (await eventually(disabled))["disabled_reason"].startswith("410")
        records = await read_topic(
            stack.bootstrap, WEBHOOKS.name, lambda rs: any(r.key == gone["id"].encode() for r in rs)
        )
        fact = CloudEvent.from_json(next(r.value for r in records if r.key == gone["id"].encode()))
        assert fact.type == "no.samling.notifications.webhook.disabled.v1"
        assert fact.data["owner_id"] == "client-hr"
        # Another owner cannot see it (404, not 403: existence does not leak).
        other = headers_for("municipality_admin")
        assert (await client.get(f"/webhooks/{gone['id']}", headers=other)).status_code == 404

        # The role x endpoint matrix: every route, by every role.
        paths = {
            "endpoint_id": "whk_missing",
            "notification_id": "ntf_missing",
            "subscription_id": "sub_missing",
            "delivery_id": delivery["id"],
        }
        bodies: dict[str, Any] = {
            "/preferences/me": {"email": True, "inbox": True, "digest": "daily", "language": "nn"},
            "/preferences/link": {"email": True, "digest": "weekly"},
            "/subscriptions": {
                "target": "event_kind",
                "value": "workshop",
                "municipality_id": "NO-1804",
            },
            "/webhooks": {"url": f"{base}/flaky", "event_types": [SCHEDULED]},
        }
        owned = {"endpoint_id": endpoint["id"]}  # the system client's: others must get 404
        results = {}
        for (method, template, variant), by_role in MATRIX.items():
            path = template.format(**{**paths, **(owned if variant == "owned" else {})})
            path += "?token=forged" if template in ("/unsubscribe", "/preferences/link") else ""
            for role in by_role:
                response = await client.request(
                    method, path, json=bodies.get(template), headers=headers_for(role)
                )
                results[(method, template, variant, role)] = response.status_code
                if response.status_code >= 400:
                    assert response.headers["content-type"] == "application/problem+json"
        assert results == {
            (method, template, variant, role): status
            for (method, template, variant), by_role in MATRIX.items()
            for role, status in by_role.items()
        }


def everyone(status: int) -> dict[str | None, int]:
    """Any signed-in caller gets ``status``; without a token, 401."""
    return {role: status for role in ROLES if role is not None} | {None: 401}


def endpoint_owners(owner: int, others: int = 403) -> dict[str | None, int]:
    """Webhook routes: municipality admins and system clients own endpoints, others are 403."""
    return {
        "coordinator": others,
        "municipality_admin": owner,
        "participant": others,
        "system": owner,
        None: 401,
    }


MATRIX: dict[tuple[str, str, str], dict[str | None, int]] = {
    ("GET", "/inbox", ""): everyone(200),
    ("GET", "/inbox/unread-count", ""): everyone(200),
    ("PUT", "/inbox/{notification_id}/read", ""): everyone(404),
    ("DELETE", "/inbox/{notification_id}/read", ""): everyone(404),
    ("GET", "/preferences/me", ""): everyone(200),
    ("PUT", "/preferences/me", ""): everyone(200),
    # The unsubscribe link needs no sign-in: its signed token is the credential.
    ("GET", "/unsubscribe", ""): {role: 400 for role in ROLES},
    ("POST", "/unsubscribe", ""): {role: 400 for role in ROLES},
    ("GET", "/preferences/link", ""): {role: 400 for role in ROLES},
    ("PUT", "/preferences/link", ""): {role: 400 for role in ROLES},
    ("GET", "/notifications/{notification_id}/log", ""): everyone(404),
    ("GET", "/subscriptions", ""): everyone(200),
    ("POST", "/subscriptions", ""): {
        "coordinator": 403,
        "municipality_admin": 201,
        "participant": 403,
        "system": 403,
        None: 401,
    },
    ("DELETE", "/subscriptions/{subscription_id}", ""): everyone(404),
    ("GET", "/webhooks", ""): endpoint_owners(200),
    ("POST", "/webhooks", ""): endpoint_owners(201),
    ("GET", "/webhooks/{endpoint_id}", ""): endpoint_owners(404),
    ("GET", "/webhooks/{endpoint_id}", "owned"): {
        **endpoint_owners(404),
        "system": 200,
    },
    ("GET", "/webhooks/{endpoint_id}/deliveries", ""): endpoint_owners(404),
    ("GET", "/webhooks/{endpoint_id}/deliveries", "owned"): {
        **endpoint_owners(404),
        "system": 200,
    },
    ("POST", "/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay", ""): endpoint_owners(404),
    ("POST", "/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay", "owned"): {
        **endpoint_owners(404),
        "system": 202,
    },
    ("POST", "/webhooks/{endpoint_id}/secret/rotate", ""): endpoint_owners(404),
    ("POST", "/webhooks/{endpoint_id}/secret/rotate", "owned"): {
        **endpoint_owners(404),
        "system": 200,
    },
    ("POST", "/webhooks/{endpoint_id}/enable", ""): endpoint_owners(404),
    ("POST", "/webhooks/{endpoint_id}/enable", "owned"): {**endpoint_owners(404), "system": 200},
}


def test_the_matrix_covers_every_endpoint() -> None:
    app = create(NotificationsSettings())
    routes = served_operations(app)
    covered = {f"{method} {path}" for method, path, _ in MATRIX}
    assert len(routes) >= 19
    assert routes - covered == set()
    assert covered - routes == set()


async def test_an_endpoint_that_keeps_failing_is_disabled_after_its_last_attempt(
    stack: Stack, notifications_settings: Callable[..., Any]
) -> None:
    """Exponential backoff over hours, moved through with a ManualClock (no sleeping): after
    MAX_ATTEMPTS failures the endpoint is disabled and WebhookEndpointDisabled tells its owner."""
    calls: list[str] = []
    failing = FastAPI()

    @failing.post("/down")
    async def down(request: Request) -> Response:
        calls.append(request.headers["webhook-id"])
        return Response(status_code=503)

    clock = ManualClock(datetime(2027, 1, 4, 8, 0, tzinfo=UTC))
    settings = await notifications_settings(
        webhook_retry_base_seconds=30.0, webhook_retry_cap_seconds=4 * 3600.0
    )
    world = World()
    async with serving(failing) as base, running(create(settings, clock)) as service:
        client = service.client
        system = headers_for("system")
        made = await client.post(
            "/webhooks", json={"url": f"{base}/down", "event_types": [SCHEDULED]}, headers=system
        )
        endpoint = made.json()
        await publish(stack.bootstrap, world.event())
        for attempt in range(1, MAX_ATTEMPTS + 1):

            async def tried(n: int = attempt) -> bool:
                return len(calls) >= n

            await eventually(tried)
            if attempt < MAX_ATTEMPTS:
                # Not yet due: the backoff holds the next attempt back until the clock moves.
                assert len(calls) == attempt
                # Past the longest delay: the 4 h cap plus up to 30 % jitter is 5.2 h.
                clock.advance(timedelta(hours=6))

        async def disabled() -> Any:
            found = (await client.get(f"/webhooks/{endpoint['id']}", headers=system)).json()
            return found if found["enabled"] is False else None

        found = await eventually(disabled)
        assert found["disabled_reason"].startswith(f"no success after {MAX_ATTEMPTS} attempts")
        assert len(calls) == MAX_ATTEMPTS
        assert set(calls) == {calls[0]}  # one webhook-id on every attempt
        records = await read_topic(
            stack.bootstrap,
            WEBHOOKS.name,
            lambda rs: any(r.key == endpoint["id"].encode() for r in rs),
        )
        fact = CloudEvent.from_json(
            next(r.value for r in records if r.key == endpoint["id"].encode())
        )
        assert fact.type == "no.samling.notifications.webhook.disabled.v1"
        assert fact.data["owner_id"] == "client-hr"
        records = await read_topic(
            stack.bootstrap, DELIVERIES.name, lambda rs: any(r.key == calls[0].encode() for r in rs)
        )
        (failed,) = [CloudEvent.from_json(r.value) for r in records if r.key == calls[0].encode()]
        assert failed.type == "no.samling.notifications.notification.failed.v1"
        assert failed.data["channel"] == "webhook"
        assert failed.data["reason"] == "503 Service Unavailable"
        # Disabled means no more calls, whatever the clock says.
        clock.advance(timedelta(days=2))
        await asyncio.sleep(settings.delivery_poll_seconds * 5)
        assert len(calls) == MAX_ATTEMPTS
