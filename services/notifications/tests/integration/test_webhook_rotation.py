"""Rotating a webhook endpoint's secret (with the overlap in which the old one signs too, and
two rotations at once) and enabling an endpoint again after it was disabled."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from samling_contracts import CloudEvent
from samling_contracts.topics import WEBHOOKS
from samling_devtools.infra import Stack
from samling_devtools.testing import eventually, read_topic, running
from samling_devtools.webhook_receiver import WebhookReceiver, signed_with
from samling_notifications.container import started_in
from samling_notifications.main import create
from samling_runtime.clock import ManualClock
from standardwebhooks import Webhook

from .facts import World, publish
from .test_api import SCHEDULED, headers_for, serving

pytestmark = pytest.mark.integration


async def registered(client: httpx.AsyncClient, base: str) -> Any:
    """The system client's endpoint at the receiver, for event.scheduled facts."""
    made = await client.post(
        "/webhooks",
        json={"url": f"{base}/hook", "event_types": [SCHEDULED]},
        headers=headers_for("system"),
    )
    assert made.status_code == 201, made.text
    return made.json()


async def test_a_rotated_secret_signs_and_the_old_one_only_for_the_overlap(
    stack: Stack, notifications_settings: Callable[..., Any]
) -> None:
    receiver = WebhookReceiver()
    world = World()
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    settings = await notifications_settings(webhook_secret_overlap_seconds=3600.0)
    system = headers_for("system")
    async with serving(receiver.app) as base, running(create(settings, clock)) as service:
        client = service.client
        endpoint = await registered(client, base)
        await publish(stack.bootstrap, world.event("before"))
        assert signed_with(endpoint["secret"], await receiver.call_number(1))

        answer = await client.post(f"/webhooks/{endpoint['id']}/secret/rotate", headers=system)
        assert answer.status_code == 200, answer.text
        rotated = answer.json()
        assert rotated["secret"] != endpoint["secret"]
        assert datetime.fromisoformat(rotated["previous_secret_until"]) == clock.now() + timedelta(
            hours=1
        )
        assert "previous_secret" not in rotated
        shown = (await client.get(f"/webhooks/{endpoint['id']}", headers=system)).json()
        assert "secret" not in shown
        assert shown["secret_rotated_at"] == rotated["secret_rotated_at"]

        # Within the overlap: signed with both, so a receiver that has not switched still verifies.
        await publish(stack.bootstrap, world.event("during"))
        during = await receiver.call_number(2)
        assert signed_with(rotated["secret"], during)
        assert signed_with(endpoint["secret"], during)

        # Past the overlap: the new secret only.
        clock.advance(timedelta(hours=1, seconds=1))
        await publish(stack.bootstrap, world.event("after"))
        after = await receiver.call_number(3)
        assert signed_with(rotated["secret"], after)
        assert not signed_with(endpoint["secret"], after)

        # A leaked secret: no overlap at all.
        answer = await client.post(
            f"/webhooks/{endpoint['id']}/secret/rotate",
            json={"keep_previous_seconds": 0},
            headers=system,
        )
        leaked_after = answer.json()
        assert leaked_after["previous_secret_until"] is None
        await publish(stack.bootstrap, world.event("leaked"))
        last = await receiver.call_number(4)
        assert signed_with(leaked_after["secret"], last)
        assert not signed_with(rotated["secret"], last)
        assert not signed_with(endpoint["secret"], last)
        refused = await client.post(
            f"/webhooks/{endpoint['id']}/secret/rotate",
            json={"keep_previous_seconds": -1},
            headers=system,
        )
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"


async def test_two_rotations_at_once_cannot_both_win(
    stack: Stack, notifications_settings: Callable[..., Any]
) -> None:
    """Each rotation inserts the endpoint's next revision; of those that read the same revision
    one wins and the others are told 409 with nothing changed: every secret handed out is one
    the endpoint held, and the one it holds now is the last one handed out."""
    receiver = WebhookReceiver()
    system = headers_for("system")
    settings = await notifications_settings()
    async with serving(receiver.app) as base, running(create(settings)) as service:
        client = service.client
        endpoint_id = (await registered(client, base))["id"]
        path = f"/webhooks/{endpoint_id}/secret/rotate"
        answers = await asyncio.gather(*(client.post(path, headers=system) for _ in range(8)))
        statuses = sorted(a.status_code for a in answers)
        won = [a.json() for a in answers if a.status_code == 200]
        assert set(statuses) <= {200, 409}, statuses
        assert 1 <= len(won) < len(answers), statuses
        for lost in (a for a in answers if a.status_code == 409):
            assert lost.json()["type"].endswith("write-conflict")
        endpoints = started_in(service.app).get().stores.endpoints
        history = await endpoints.history(endpoint_id)
        assert len(history) == 1 + len(won)
        held = [revision.state.secret for revision in history[1:]]
        assert sorted(held) == sorted(w["secret"] for w in won)
        await publish(stack.bootstrap, World().event())
        assert signed_with(history[-1].state.secret, await receiver.call_number(1))

        # A double click (or a lost answer) with one Idempotency-Key rotates once, and every
        # repeat is shown the same secret.
        keyed = {**headers_for("system"), "Idempotency-Key": "rotate-once"}
        repeats = await asyncio.gather(*(client.post(path, headers=keyed) for _ in range(3)))
        assert [a.status_code for a in repeats] == [200, 200, 200]
        assert len({a.json()["secret"] for a in repeats}) == 1
        assert len(await endpoints.history(endpoint_id)) == len(history) + 1


async def test_a_disabled_endpoint_enabled_again_receives_the_next_fact(
    stack: Stack, notifications_settings: Callable[..., Any]
) -> None:
    receiver = WebhookReceiver()
    receiver.answer = 410
    world = World()
    system = headers_for("system")
    settings = await notifications_settings()
    async with serving(receiver.app) as base, running(create(settings)) as service:
        client = service.client
        endpoint = await registered(client, base)
        await publish(stack.bootstrap, world.event("gone"))
        await receiver.call_number(1)

        async def disabled() -> Any:
            found = (await client.get(f"/webhooks/{endpoint['id']}", headers=system)).json()
            return found if found["enabled"] is False else None

        found = await eventually(disabled)
        assert found["disabled_reason"].startswith("410")
        assert found["disabled_at"] is not None
        page = (await client.get(f"/webhooks/{endpoint['id']}/deliveries", headers=system)).json()
        (failed,) = page["items"]
        replay = f"/webhooks/{endpoint['id']}/deliveries/{failed['id']}/replay"
        refused = await client.post(replay, headers=system)
        assert refused.status_code == 409
        assert "enable it again" in refused.json()["detail"]
        # Another owner cannot enable it (404: existence does not leak).
        other = headers_for("municipality_admin")
        assert (
            await client.post(f"/webhooks/{endpoint['id']}/enable", headers=other)
        ).status_code == 404

        receiver.answer = 204
        enabled = await client.post(f"/webhooks/{endpoint['id']}/enable", headers=system)
        assert enabled.status_code == 200, enabled.text
        assert enabled.json()["enabled"] is True
        assert enabled.json()["disabled_reason"] is None
        again = await client.post(f"/webhooks/{endpoint['id']}/enable", headers=system)
        assert again.status_code == 200  # enabling an enabled endpoint changes nothing
        history = await started_in(service.app).get().stores.endpoints.history(endpoint["id"])
        assert [r.state.enabled for r in history] == [True, False, True]
        # Those following the endpoints' lifecycle hear of it, as they heard of the disabling.
        key = endpoint["id"].encode()
        records = await read_topic(
            stack.bootstrap, WEBHOOKS.name, lambda rs: sum(r.key == key for r in rs) >= 2
        )
        lifecycle = [CloudEvent.from_json(r.value) for r in records if r.key == key]
        assert [f.type.split(".")[-2] for f in lifecycle] == ["disabled", "enabled"]
        assert lifecycle[1].data == {"endpoint_id": endpoint["id"], "owner_id": "client-hr"}

        (event,) = await publish(stack.bootstrap, world.event("after"))
        headers, body = await receiver.call_number(2)
        assert Webhook(endpoint["secret"]).verify(body, headers)["id"] == event.id
        # The failed delivery is not sent again by itself; a replay sends it now.
        assert (await client.post(replay, headers=system)).status_code == 202
        replayed_headers, _ = await receiver.call_number(3)
        assert replayed_headers["webhook-id"] == failed["id"]
        assert len(receiver.calls) == 3
