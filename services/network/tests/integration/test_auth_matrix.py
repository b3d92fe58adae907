"""Every endpoint by every role: who is allowed, who is refused (401/403), and who must not
even learn that something exists (404). One table, checked request by request."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from samling_contracts.vocabulary import Country
from samling_devtools.testing import RunningService, served_operations
from samling_network.domain.official_municipalities import official_municipalities

from services.network.tests.integration.conftest import (
    BODO,
    COORDINATOR,
    FAUSKE,
    OTHER_COORDINATOR,
    PARTICIPANT,
    SYSTEM,
    Headers,
    ok,
)

pytestmark = pytest.mark.integration

ROLES: dict[str, Headers] = {
    "anonymous": {},
    "coordinator": COORDINATOR,
    "other-coordinator": OTHER_COORDINATOR,
    "admin-bodo": BODO,
    "admin-fauske": FAUSKE,
    "participant": PARTICIPANT,
    "system": SYSTEM,
}
ALL_READ = {role: 200 for role in ROLES if role != "anonymous"}
# Real municipalities outside Salten (whose numbers the fixtures register), one per request.
_numbers = iter(sorted(n for n in official_municipalities(Country.NO) if not n.startswith("18")))


class World:
    """Fresh things to act on, so an allowed request never spoils the next one."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def network(self) -> str:
        body = {"name": f"Matrise {uuid.uuid4().hex[:6]}", "field": "school"}
        created = await ok(await self.client.post("/networks", json=body, headers=COORDINATOR), 201)
        return str(created["id"])

    async def membership(self) -> tuple[str, str]:
        network_id = await self.network()
        created = await ok(
            await self.client.post(
                f"/networks/{network_id}/memberships",
                json={"municipality_id": "NO-1804"},
                headers=COORDINATOR,
            ),
            201,
        )
        return network_id, str(created["id"])

    async def report(self, visibility: str, *, publish: bool = True) -> str:
        body = {
            "title": f"Matriserapport {visibility}",
            "body": {"template": "free_text", "text": "Fri tekst om læring på tvers."},
            "tags": {"language": "nb"},
            "visibility": visibility,
        }
        created = await ok(await self.client.post("/reports", json=body, headers=BODO), 201)
        if publish:
            await ok(await self.client.post(f"/reports/{created['id']}/publish", headers=BODO))
        return str(created["id"])


Request = tuple[str, Any]  # path, JSON body (None for none)


@dataclass
class Case:
    method: str
    route: str
    make: Callable[[World], Awaitable[Request]]
    expect: dict[str, int]

    @property
    def name(self) -> str:
        return f"{self.method} {self.route}"


def only(allowed: dict[str, int], otherwise: int = 403) -> dict[str, int]:
    return {role: allowed.get(role, otherwise) for role in ROLES if role != "anonymous"}


async def fixed(path: str, body: Any = None) -> Request:
    return path, body


def new_municipality() -> dict[str, str]:
    return {"country": "NO", "number": str(next(_numbers)), "name": "Prøvekommune"}


async def _network_path(w: World, suffix: str = "", body: Any = None) -> Request:
    return f"/networks/{await w.network()}{suffix}", body


async def _leave(w: World) -> Request:
    network_id, membership_id = await w.membership()
    return f"/networks/{network_id}/memberships/{membership_id}/leave", {}


async def _report(w: World, visibility: str, suffix: str = "", body: Any = None) -> Request:
    return f"/reports/{await w.report(visibility)}{suffix}", body


async def _draft(w: World, suffix: str) -> Request:
    return f"/reports/{await w.report('public', publish=False)}{suffix}", None


CASES = [
    Case(
        "POST",
        "/regions",
        lambda w: fixed("/regions", {"id": f"r-{uuid.uuid4().hex[:8]}", "name": "Ny region"}),
        only({"system": 201}),
    ),
    Case("GET", "/regions", lambda w: fixed("/regions"), ALL_READ),
    Case("GET", "/regions/{region_id}", lambda w: fixed("/regions/rkk-salten"), ALL_READ),
    Case(
        "POST",
        "/municipalities",
        lambda w: fixed("/municipalities", new_municipality()),
        # The other region's coordinator may register, but that region is not registered.
        only({"coordinator": 201, "other-coordinator": 422}),
    ),
    Case("GET", "/municipalities", lambda w: fixed("/municipalities"), ALL_READ),
    Case(
        "GET",
        "/municipalities/{municipality_id}",
        lambda w: fixed("/municipalities/NO-1804"),
        ALL_READ,
    ),
    Case(
        "PUT",
        "/municipalities/{municipality_id}/contacts",
        lambda w: fixed(
            "/municipalities/NO-1804/contacts",
            {"contacts": [{"name": "Kontakt i Bodø", "email": "post@k1804.no"}]},
        ),
        only({"coordinator": 200, "admin-bodo": 200}),
    ),
    Case(
        "PUT",
        "/municipalities/{municipality_id}/email-domains",
        lambda w: fixed("/municipalities/NO-1804/email-domains", {"email_domains": []}),
        only({"coordinator": 200, "admin-bodo": 200}),
    ),
    Case(
        "GET",
        "/municipalities/{municipality_id}/memberships",
        lambda w: fixed("/municipalities/NO-1804/memberships"),
        ALL_READ,
    ),
    Case(
        "POST",
        "/networks",
        lambda w: fixed("/networks", {"name": "Nytt nettverk", "field": "health"}),
        only({"coordinator": 201, "other-coordinator": 201}),
    ),
    Case("GET", "/networks", lambda w: fixed("/networks"), ALL_READ),
    Case("GET", "/networks/{network_id}", lambda w: _network_path(w), ALL_READ),
    Case(
        "PATCH",
        "/networks/{network_id}",
        lambda w: _network_path(w, body={"description": "Endret"}),
        only({"coordinator": 200}),
    ),
    Case(
        "POST",
        "/networks/{network_id}/archive",
        lambda w: _network_path(w, "/archive"),
        only({"coordinator": 200}),
    ),
    Case(
        "POST",
        "/networks/{network_id}/coordinators",
        lambda w: _network_path(w, "/coordinators", {"user_id": "u-new"}),
        only({"coordinator": 200}),
    ),
    Case(
        "POST",
        "/networks/{network_id}/partners",
        lambda w: _network_path(
            w,
            "/partners",
            {"organisation": "Statsforvalteren i Nordland", "kind": "county_governor"},
        ),
        only({"coordinator": 201}),
    ),
    Case(
        "POST",
        "/networks/{network_id}/memberships",
        lambda w: _network_path(w, "/memberships", {"municipality_id": "NO-1804"}),
        only({"coordinator": 201, "admin-bodo": 201}),
    ),
    Case(
        "GET",
        "/networks/{network_id}/memberships",
        lambda w: _network_path(w, "/memberships"),
        ALL_READ,
    ),
    Case(
        "POST",
        "/networks/{network_id}/memberships/{membership_id}/leave",
        _leave,
        only({"coordinator": 200, "admin-bodo": 200}),
    ),
    Case(
        "POST",
        "/networks/{network_id}/announcements",
        lambda w: _network_path(
            w, "/announcements", {"title": "Samling i Fauske", "body": "Velkommen til høstsamling."}
        ),
        only({"coordinator": 201}),
    ),
    Case(
        "GET",
        "/networks/{network_id}/announcements",
        lambda w: _network_path(w, "/announcements"),
        ALL_READ,
    ),
    Case(
        "POST",
        "/reports",
        lambda w: fixed(
            "/reports",
            {
                "title": "Ny rapport",
                "body": {"template": "free_text", "text": "Tekst"},
                "tags": {"language": "nb"},
            },
        ),
        only({"admin-bodo": 201, "admin-fauske": 201}),
    ),
    Case("GET", "/reports", lambda w: fixed("/reports"), ALL_READ),
    Case("GET", "/reports/{report_id}", lambda w: _report(w, "public"), ALL_READ),
    Case(
        "GET",
        "/reports/{report_id} (private)",
        lambda w: _report(w, "private"),
        only({"admin-bodo": 200}, otherwise=404),
    ),
    Case(
        "PATCH",
        "/reports/{report_id}",
        lambda w: _report(w, "region", body={"title": "Ny tittel"}),
        # Readers who may not edit get 403; those who may not read get 404.
        {
            "coordinator": 403,
            "other-coordinator": 404,
            "admin-bodo": 200,
            "admin-fauske": 403,
            "participant": 404,
            "system": 404,
        },
    ),
    Case(
        "POST",
        "/reports/{report_id}/publish",
        lambda w: _draft(w, "/publish"),
        only({"admin-bodo": 200}, otherwise=404),
    ),
    Case(
        "POST",
        "/reports/{report_id}/withdraw",
        lambda w: _report(w, "public", "/withdraw"),
        only({"admin-bodo": 200, "coordinator": 200}),
    ),
    Case(
        "GET",
        "/reports/{report_id}/revisions",
        lambda w: _report(w, "public", "/revisions"),
        ALL_READ,
    ),
]


def test_the_matrix_covers_every_endpoint(service: RunningService) -> None:
    routes = served_operations(service.app)
    covered = {case.name.split(" (")[0] for case in CASES}
    assert len(routes) >= 27
    assert routes - covered == set()
    assert covered - routes == set()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_role_matrix(client: httpx.AsyncClient, case: Case) -> None:
    world = World(client)
    wrong: list[str] = []
    for role, expected in {"anonymous": 401, **case.expect}.items():
        path, body = await case.make(world)
        response = await client.request(case.method, path, json=body, headers=ROLES[role])
        if response.status_code != expected:
            wrong.append(f"{role}: expected {expected}, got {response.status_code} {response.text}")
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
    assert wrong == []


async def test_a_forged_token_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/networks", headers={"Authorization": "Bearer not.a.token"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
