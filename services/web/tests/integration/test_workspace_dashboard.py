"""The coordinator's dashboard: the figures at load, and the stream that moves them.

Against the real services, Kafka and the provider (``workspace_world``): a registration made
through the events API reaches the web app's own consumer of the registration facts, and the
open stream sends that event's new figures."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from samling_devtools.testing import call

from services.web.tests.workspace_world import Workspace, workspace

pytestmark = pytest.mark.integration
__all__ = ["workspace"]  # the fixture, used by name


def figure(html: str, event_id: str, name: str) -> str:
    card = html.split(f'data-event-id="{event_id}"', 1)[1].split("</li>", 1)[0]
    found = re.search(rf'data-figure="{name}">([^<]*)<', card)
    assert found, f"no {name} for {event_id}"
    return found.group(1)


async def test_the_dashboard_shows_each_events_figures_at_load(workspace: Workspace) -> None:
    await workspace.register(workspace.later, "Dina Dashbord")
    async with workspace.signed_in("koordinator") as coordinator:
        page = await coordinator.get("/workspace/dashboard")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    mine = [r for r in await workspace.registrations(workspace.later)]
    assert figure(page.text, workspace.later, "seats_taken") == str(len(mine))
    assert figure(page.text, workspace.later, "capacity") == "30"
    assert figure(page.text, workspace.later, "waitlisted") == "0"
    assert "Verksted: Skriving" in page.text
    assert f'href="/workspace/events/{workspace.later}/check-in"' in page.text


async def _next_figures(lines: Any) -> dict[str, Any]:
    kind = None
    async for line in lines:
        if line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: ") and kind == "figures":
            found: dict[str, Any] = json.loads(line.removeprefix("data: "))
            return found
    raise AssertionError("the stream ended")


async def test_a_registration_moves_the_figures_on_the_stream(workspace: Workspace) -> None:
    async with workspace.signed_in("koordinator") as coordinator:
        before = await call(workspace.events.client, "GET",
                            f"/events/{workspace.later}/figures", 200,
                            headers=workspace.token("koordinator"))  # fmt: skip
        async with coordinator.stream("GET", "/workspace/dashboard/stream") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            assert (await anext(lines)).startswith(": listening")  # the stream is listening
            await call(workspace.events.client, "POST",
                       f"/events/{workspace.later}/registrations", 201,
                       headers=workspace.token("koordinator"),
                       json={"name": "Strøm Strømsen", "email": "strom@example.no",
                             "municipality_id": "NO-1841", "role": "Rektor"})  # fmt: skip
            async with asyncio.timeout(30):
                found = await _next_figures(lines)
    assert found["event_id"] == workspace.later
    assert found["seats_taken"] == before["seats_taken"] + 1


@pytest.mark.parametrize("username", ["bodo-admin", "deltaker"])
async def test_others_get_no_dashboard_and_no_stream(workspace: Workspace, username: str) -> None:
    async with workspace.signed_in(username) as person:
        assert (await person.get("/workspace/dashboard")).status_code == 403
        assert (await person.get("/workspace/dashboard/stream")).status_code == 403
        home = await person.get("/workspace")
        assert 'href="/workspace/dashboard"' not in home.text
