"""What the events service accepts: known fields only, plain text, bounded pages, and no
validation message for a caller who may not send the request at all."""

import base64
import json
from typing import Any

import httpx
import pytest
from samling_devtools.testing import RunningService
from samling_events.adapters.api.tokens import manage_token
from samling_runtime.auth import Role

from .conftest import COORDINATOR, SeedNetwork, applicant, headers, new_event, published_event

pytestmark = pytest.mark.integration

PARTICIPANT = headers([Role.PARTICIPANT], email="person1@example.no")
OTHER_REGION = headers([Role.COORDINATOR], region_id="rkk-other")
ADMIN = headers([Role.MUNICIPALITY_ADMIN], municipality_id="NO-1804")
SYSTEM = headers([Role.SYSTEM])
DETAILS = {"title": "Ny tittel", "venue": "Bodø", "capacity": 20}


def invalid(response: httpx.Response, *fields: str) -> list[str]:
    """The names of the invalid fields of a 422 problem (and that it is one)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    names = [p["name"] for p in response.json()["invalid-params"]]
    for field in fields:
        assert field in names, (field, response.json())
    return names


@pytest.fixture
async def published(events: RunningService, seed_network: SeedNetwork) -> tuple[str, str]:
    """A network with Bodø in it, and a published event of it."""
    network_id = await seed_network(["NO-1804"])
    return network_id, await published_event(events, network_id)


async def test_unknown_fields_are_refused_by_name(
    events: RunningService, published: tuple[str, str]
) -> None:
    network_id, event_id = published
    client = events.client
    typo = new_event(network_id, titel="Skrivefeil")
    invalid(await client.post("/events", json=typo, headers=COORDINATOR), "body.titel")
    agenda = [
        {
            "title": "Del 1",
            "starts_at": "2027-02-10T09:00:00+01:00",
            "ends_at": "2027-02-10T10:00:00+01:00",
            "descripton": "skrivefeil",
        }
    ]
    invalid(
        await client.put(
            f"/events/{event_id}/details", json={**DETAILS, "agenda": agenda}, headers=COORDINATOR
        ),
        "body.agenda.0.descripton",
    )
    invalid(
        await client.post(
            f"/events/{event_id}/registrations",
            json=applicant(1, navn="Kari"),
            headers=COORDINATOR,
        ),
        "body.navn",
    )
    invalid(
        await client.post(f"/events/{event_id}/cancel", json={"grunn": "x"}, headers=COORDINATOR),
        "body.grunn",
    )


async def test_control_characters_are_refused_in_names_and_titles(
    events: RunningService, published: tuple[str, str]
) -> None:
    network_id, event_id = published
    client = events.client
    invalid(
        await client.post(
            "/events", json=new_event(network_id, title="Dialog\x00konferanse"), headers=COORDINATOR
        ),
        "body.title",
    )
    invalid(
        await client.post(
            "/events", json=new_event(network_id, title="Dialog\nkonferanse"), headers=COORDINATOR
        ),
        "body.title",
    )
    invalid(
        await client.post(
            f"/events/{event_id}/registrations",
            json={**applicant(1), "name": "Kari\x00Nordmann"},
            headers=COORDINATOR,
        ),
        "body.name",
    )
    invalid(
        await client.put(
            f"/events/{event_id}/details",
            json={**DETAILS, "description": "Velkommen\x1b[31m"},
            headers=COORDINATOR,
        ),
        "body.description",
    )
    # Free text keeps its line breaks and tabs.
    kept = await client.put(
        f"/events/{event_id}/details",
        json={**DETAILS, "description": "Velkommen!\n\n\tProgram følger."},
        headers=COORDINATOR,
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["description"] == "Velkommen!\n\n\tProgram følger."


async def test_a_caller_without_the_right_gets_401_403_or_404_before_any_validation(
    events: RunningService, published: tuple[str, str]
) -> None:
    network_id, event_id = published
    series = await events.client.post(
        "/series",
        json={**new_event(network_id), "rrule": "FREQ=WEEKLY;COUNT=2"},
        headers=COORDINATOR,
    )
    assert series.status_code == 201, series.text
    series_id = series.json()["series_id"]
    forged = manage_token("par_someone", "not-the-secret")
    bad: dict[str, Any] = {"titel": 1, "size": "x", "rating": 9, "reason": ["\x00"]}
    cases = [
        ("POST", "/events", {}, 401),
        ("POST", "/events", PARTICIPANT, 403),
        ("POST", "/events", ADMIN, 403),
        ("POST", "/events/from-template", SYSTEM, 403),
        ("POST", "/series", PARTICIPANT, 403),
        ("PUT", f"/series/{series_id}/details", OTHER_REGION, 404),
        ("PUT", f"/events/{event_id}/details", OTHER_REGION, 403),
        ("PUT", f"/events/{event_id}/details", PARTICIPANT, 403),
        ("POST", f"/events/{event_id}/reschedule", ADMIN, 403),
        ("POST", f"/events/{event_id}/cancel", OTHER_REGION, 403),
        ("POST", f"/events/{event_id}/registrations", SYSTEM, 403),
        ("POST", f"/events/{event_id}/assignments", PARTICIPANT, 403),
        ("POST", f"/events/{event_id}/groups", ADMIN, 403),
        ("POST", f"/events/{event_id}/groups/moves", OTHER_REGION, 403),
        ("POST", f"/events/{event_id}/registrations/reg_x/attendance", PARTICIPANT, 403),
        ("PUT", f"/manage/{forged}/registrations/reg_x/evaluation", {}, 404),
    ]
    wrong = []
    for method, path, who, status in cases:
        response = await events.client.request(method, path, json=bad, headers=who)
        if response.status_code != status:
            wrong.append(f"{method} {path}: {response.status_code} != {status}")
        assert response.headers["content-type"] == "application/problem+json"
    assert wrong == []


def _cursor(raw: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/events", {"limit": "0"}, 422),
        ("/events", {"limit": "-1"}, 422),
        ("/events", {"limit": "201"}, 422),
        ("/events", {"limit": str(10**30)}, 422),
        ("/events", {"limit": "1.5"}, 422),
        ("/events", {"starts_after": "tomorrow"}, 422),
        ("/events", {"status": "gone"}, 422),
        ("/events", {"cursor": "not-a-cursor"}, 400),
        ("/events", {"cursor": _cursor({"t": "no date", "id": "x"})}, 400),
        ("/events", {"cursor": _cursor({"v": {"$where": "1"}, "id": "x"})}, 400),
        ("/events/{event_id}/registrations", {"limit": "0"}, 422),
        ("/events/{event_id}/registrations", {"limit": "501"}, 422),
        ("/events/{event_id}/registrations", {"cursor": _cursor({"v": [], "id": 1})}, 400),
    ],
)
async def test_paging_and_numbers_out_of_range_are_problems_not_errors(
    events: RunningService, path: str, params: dict[str, str], status: int
) -> None:
    event_id = await published_event(events, None)
    response = await events.client.get(
        path.format(event_id=event_id), params=params, headers=COORDINATOR
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
