"""A signed-in participant's registrations (``GET /me/registrations``): found by the e-mail in
her token, as the private link shows them, with the link's token for the pages behind it."""

from typing import Any

import pytest
from samling_devtools.testing import RunningService
from samling_runtime.auth import Role

from .conftest import SeedNetwork, applicant, headers, published_event
from .test_registration import register

pytestmark = pytest.mark.integration


def person(email: str) -> dict[str, str]:
    return headers([Role.PARTICIPANT], email=email)


async def mine(events: RunningService, who: dict[str, str]) -> dict[str, Any]:
    response = await events.client.get("/me/registrations", headers=who)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def test_she_sees_her_seat_and_her_place_in_line_and_her_links_open_them(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    roomy = await published_event(events, network_id)
    full = await published_event(events, network_id, capacity=1)
    assert (await register(events, full, applicant(2))).status_code == 201
    for event_id in (roomy, full):
        assert (await register(events, event_id, applicant(1))).status_code == 201

    # The address is normalised as registering does: her token's capitals find her.
    found = await mine(events, person("Person1@Example.no"))
    by_event = {r["event_id"]: r for r in found["registrations"]}
    assert by_event[roomy]["status"] == "confirmed"
    assert by_event[full]["status"] == "waitlisted"
    assert by_event[full]["waiting_position"] == 1
    linked = await events.client.get(f"/manage/{found['manage_token']}")
    assert linked.status_code == 200, linked.text
    assert linked.json()["registrations"] == found["registrations"]
    # Someone else signed in sees only her own.
    other = await mine(events, person("person2@example.no"))
    assert [r["event_id"] for r in other["registrations"]] == [full]
    assert other["manage_token"] != found["manage_token"]


async def test_erased_registrations_are_not_shown(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    event_id = await published_event(events, await seed_network(["NO-1804"]))
    assert (await register(events, event_id, applicant(3))).status_code == 201
    before = await mine(events, person("person3@example.no"))
    assert len(before["registrations"]) == 1
    erased = await events.client.delete(f"/manage/{before['manage_token']}")
    assert erased.status_code == 204
    assert (await mine(events, person("person3@example.no")))["registrations"] == []


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (headers([Role.PARTICIPANT]), 403),  # no e-mail in the token: nobody to look for
        (headers([Role.COORDINATOR], region_id="rkk-salten", email="k@example.no"), 403),
        (headers([Role.MUNICIPALITY_ADMIN], municipality_id="NO-1804"), 403),
        ({}, 401),
    ],
)
async def test_only_a_participant_with_an_e_mail_has_registrations_here(
    events: RunningService, who: dict[str, str], status: int
) -> None:
    response = await events.client.get("/me/registrations", headers=who)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
