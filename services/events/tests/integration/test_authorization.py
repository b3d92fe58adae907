"""Who may call what: a role-by-endpoint matrix, allowed and denied, on one running service."""

from typing import Any

import pytest
from samling_devtools.testing import RunningService
from samling_runtime.auth import Role

from .conftest import COORDINATOR, SeedNetwork, applicant, headers, new_event, published_event

pytestmark = pytest.mark.integration

ROLES: dict[str, dict[str, str]] = {
    "coordinator": COORDINATOR,
    "other_region": headers([Role.COORDINATOR], region_id="rkk-other"),
    "admin": headers([Role.MUNICIPALITY_ADMIN], municipality_id="NO-1804"),
    "participant": headers([Role.PARTICIPANT], email="person1@example.no"),
    "stranger": headers([Role.PARTICIPANT], email="someone@example.no"),
    "system": headers([Role.SYSTEM]),
    "anonymous": {},
}
COORDINATORS_ONLY = {
    "coordinator": 200,
    "other_region": 403,
    "admin": 403,
    "participant": 403,
    "system": 403,
    "anonymous": 401,
}


async def test_role_endpoint_matrix(events: RunningService, seed_network: SeedNetwork) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=20)
    draft = (
        await events.client.post("/events", json=new_event(network_id), headers=COORDINATOR)
    ).json()["id"]
    own = (
        await events.client.post(
            f"/events/{event_id}/registrations", json=applicant(1), headers=ROLES["participant"]
        )
    ).json()
    details = {"title": "Ny tittel", "venue": "Bodø", "capacity": 20}

    # (method, path, body, {role: expected status}); unlisted roles expect "other".
    cases: list[tuple[str, str, Any, dict[str, int]]] = [
        (
            "POST",
            "/events",
            new_event(network_id),
            {
                "coordinator": 201,
                "other_region": 404,
                "admin": 403,
                "participant": 403,
                "system": 403,
                "anonymous": 401,
            },
        ),
        (
            "GET",
            f"/events/{draft}",
            None,
            {
                "coordinator": 200,
                "other_region": 404,
                "admin": 404,
                "participant": 404,
                "system": 404,
                "anonymous": 401,
            },
        ),
        (
            "GET",
            f"/events/{event_id}",
            None,
            {
                "coordinator": 200,
                "other_region": 200,
                "admin": 200,
                "participant": 200,
                "system": 200,
                "anonymous": 401,
            },
        ),
        (
            "PUT",
            f"/events/{event_id}/details",
            details,
            COORDINATORS_ONLY,
        ),
        (
            "POST",
            f"/events/{draft}/publish",
            None,
            {
                "other_region": 404,
                "admin": 404,
                "participant": 404,
                "system": 404,
                "anonymous": 401,
            },
        ),
        (
            "GET",
            f"/events/{event_id}/registrations",
            None,
            {
                "coordinator": 200,
                "other_region": 403,
                "admin": 200,
                "participant": 403,
                "system": 403,
                "anonymous": 401,
            },
        ),
        (
            "GET",
            f"/events/{event_id}/registrations/{own['id']}",
            None,
            {
                "coordinator": 200,
                "other_region": 404,
                "admin": 200,
                "participant": 200,
                "stranger": 404,
                "system": 404,
                "anonymous": 401,
            },
        ),
        (
            "POST",
            f"/events/{event_id}/registrations",
            applicant(1),
            {"stranger": 403, "system": 403, "anonymous": 401},
        ),
        (
            "POST",
            f"/events/{event_id}/groups",
            {"size": 3},
            COORDINATORS_ONLY,
        ),
        (
            "GET",
            f"/events/{event_id}/attendance",
            None,
            COORDINATORS_ONLY,
        ),
        (
            "GET",
            f"/events/{event_id}/conflicts",
            None,
            {"coordinator": 200, "admin": 403, "participant": 403, "anonymous": 401},
        ),
        (
            "POST",
            f"/events/{event_id}/registrations/{own['id']}/approve",
            None,
            {"coordinator": 404, "participant": 404, "anonymous": 401},
        ),
        (
            "POST",
            "/participants/par_x/erasure",
            None,
            {"admin": 403, "participant": 403, "system": 403, "anonymous": 401},
        ),
    ]
    wrong = []
    for method, path, body, expected in cases:
        for role, status in expected.items():
            response = await events.client.request(method, path, json=body, headers=ROLES[role])
            if response.status_code != status:
                wrong.append(f"{role} {method} {path}: {response.status_code} != {status}")
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json"
    assert wrong == []

    # Allowed registrations by each kind of caller (distinct people).
    for role, body in (
        ("coordinator", applicant(2)),
        ("admin", applicant(3)),
        ("participant", applicant(1, answers={})),
    ):
        response = await events.client.post(
            f"/events/{event_id}/registrations", json=body, headers=ROLES[role]
        )
        assert response.status_code in (201, 409), (role, response.text)


async def test_lists_page_by_start_and_hide_drafts_from_others(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    published = [
        await published_event(
            events,
            network_id,
            starts_at=f"2027-0{m}-10T09:00:00+01:00",
            ends_at=f"2027-0{m}-10T15:00:00+01:00",
        )
        for m in (3, 1, 2)
    ]
    draft = await events.client.post("/events", json=new_event(network_id), headers=COORDINATOR)
    seen: list[str] = []
    cursor = None
    while True:
        page = await events.client.get(
            "/events",
            params={"network_id": network_id, "limit": 2, **({"cursor": cursor} if cursor else {})},
            headers=ROLES["participant"],
        )
        seen += [e["id"] for e in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert seen == [published[1], published[2], published[0]]
    mine = await events.client.get(
        "/events", params={"network_id": network_id}, headers=COORDINATOR
    )
    assert draft.json()["id"] in [e["id"] for e in mine.json()["items"]]
