"""Municipalities, contact persons and networks through the API, against FerretDB and Kafka."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from samling_contracts import CloudEvent
from samling_contracts.topics import CONTACTS_RESTRICTED, MUNICIPALITIES, NETWORKS
from samling_devtools.infra import Stack
from samling_devtools.testing import read_topic

from services.network.tests.integration.conftest import (
    BODO,
    COORDINATOR,
    FAUSKE,
    OTHER_COORDINATOR,
    PARTICIPANT,
    SYSTEM,
    ok,
)

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("country", "number", "expected"),
    [
        ("NO", "184", "a Norwegian kommunenummer has four digits, e.g. 1804 for Bodø"),
        ("NO", "18O4", "a Norwegian kommunenummer has four digits"),
        ("SE", "180", "a Swedish kommunkod has four digits"),
        ("DK", "0851", "a Danish kommunekode has three digits, e.g. 851 for Aalborg"),
    ],
)
async def test_a_wrong_municipality_number_is_explained(
    client: httpx.AsyncClient, country: str, number: str, expected: str
) -> None:
    body = {"country": country, "number": number, "name": "Prøvekommune"}
    response = await client.post("/municipalities", json=body, headers=COORDINATOR)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert expected in response.json()["detail"]


@pytest.mark.parametrize(("country", "number"), [("NO", "0000"), ("SE", "9999"), ("DK", "999")])
async def test_a_number_that_is_no_official_municipality_is_refused(
    client: httpx.AsyncClient, country: str, number: str
) -> None:
    body = {"country": country, "number": number, "name": "Prøvekommune"}
    response = await client.post("/municipalities", json=body, headers=COORDINATOR)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert f"'{number}' is not an official municipality number" in response.json()["detail"]


async def test_official_numbers_of_each_country_are_accepted(client: httpx.AsyncClient) -> None:
    for country, number, name in (
        ("NO", "0301", "Oslo"),
        ("SE", "1480", "Göteborg"),
        ("DK", "101", "København"),
    ):
        body = {"country": country, "number": number, "name": name}
        created = await ok(
            await client.post("/municipalities", json=body, headers=COORDINATOR), 201
        )
        assert created["id"] == f"{country}-{number}"


async def test_a_malformed_region_id_is_explained(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/regions", json={"id": "RKK Salten", "name": "RKK Salten"}, headers=SYSTEM
    )
    assert response.status_code == 422
    assert "lower-case letters, digits and dashes" in response.json()["detail"]


async def test_valid_numbers_of_each_country_give_the_contract_id(
    client: httpx.AsyncClient,
) -> None:
    for country, number, name in (("SE", "0180", "Stockholm"), ("DK", "851", "Aalborg")):
        body = {"country": country, "number": number, "name": name}
        created = await ok(
            await client.post("/municipalities", json=body, headers=COORDINATOR), 201
        )
        assert created["id"] == f"{country}-{number}"
    again = await client.post(
        "/municipalities",
        json={"country": "DK", "number": "851", "name": "Aalborg"},
        headers=COORDINATOR,
    )
    assert again.status_code == 409
    assert "already registered" in again.json()["detail"]


async def test_contacts_are_shown_only_to_the_region_and_the_municipality(
    client: httpx.AsyncClient,
) -> None:
    for headers in (COORDINATOR, BODO):
        seen = await ok(await client.get("/municipalities/NO-1804", headers=headers))
        assert seen["contacts"][0]["email"] == "post@k1804.no"
    for headers in (FAUSKE, PARTICIPANT, OTHER_COORDINATOR):
        seen = await ok(await client.get("/municipalities/NO-1804", headers=headers))
        assert seen["contacts"] is None
        assert seen["name"] == "Bodø"
    listed = await ok(await client.get("/municipalities?region_id=rkk-salten", headers=COORDINATOR))
    assert {m["id"] for m in listed["items"]} >= {"NO-1804", "NO-1841"}
    assert all(m["contacts"] is None for m in listed["items"])


async def test_changing_contacts_publishes_a_full_snapshot_on_the_restricted_topic(
    client: httpx.AsyncClient, stack: Stack
) -> None:
    before = await ok(await client.get("/municipalities/NO-1841", headers=FAUSKE))
    kept_id = before["contacts"][0]["contact_id"]
    body = {
        "contacts": [
            {"name": "Kontakt i Fauske", "email": "post@k1841.no"},
            {"name": "Øystein Æsøy", "email": "oystein@fauske.kommune.no", "language": "nn",
             "role": " Kommunalsjef oppvekst "},
        ]
    }  # fmt: skip
    changed = await ok(
        await client.put("/municipalities/NO-1841/contacts", json=body, headers=FAUSKE)
    )
    assert changed["contacts"][0]["contact_id"] == kept_id  # same e-mail keeps its id
    # A role is optional, kept trimmed.
    assert [c["role"] for c in changed["contacts"]] == [None, "Kommunalsjef oppvekst"]
    denied = await client.put("/municipalities/NO-1841/contacts", json=body, headers=BODO)
    assert denied.status_code == 403
    bad = await client.put(
        "/municipalities/NO-1841/contacts",
        json={"contacts": [{"name": "X Y", "email": "not-an-address"}]},
        headers=FAUSKE,
    )
    assert bad.status_code == 422
    assert bad.json()["invalid-params"][0]["name"].endswith("email")

    def snapshots(records: list[Any]) -> list[CloudEvent]:
        return [CloudEvent.from_json(r.value) for r in records if r.key == b"NO-1841"]

    records = await read_topic(
        stack.bootstrap, CONTACTS_RESTRICTED.name, lambda rs: len(snapshots(rs)) >= 2
    )
    latest = snapshots(records)[-1].data
    assert [c["name"] for c in latest["contacts"]] == ["Kontakt i Fauske", "Øystein Æsøy"]
    assert latest["contacts"][1]["role"] == "Kommunalsjef oppvekst"
    # Names and e-mails never reach the public municipalities topic.
    public = await read_topic(
        stack.bootstrap, MUNICIPALITIES.name, lambda rs: any(r.key == b"NO-1841" for r in rs)
    )
    registered = [r.value for r in public if r.key == b"NO-1841"]
    assert b"Fauske" in registered[0]
    assert all(b"@" not in value for value in registered)


async def test_email_domains_are_set_by_the_municipality_and_published_as_a_snapshot(
    client: httpx.AsyncClient, stack: Stack
) -> None:
    body = {"email_domains": [" Bodø.Kommune.no. ", "bodo.kommune.no", "skole.bodo.no"]}
    changed = await ok(
        await client.put("/municipalities/NO-1804/email-domains", json=body, headers=BODO)
    )
    assert changed["email_domains"] == [
        "bodo.kommune.no",
        "skole.bodo.no",
        "xn--bod-2na.kommune.no",
    ]
    seen = await ok(await client.get("/municipalities/NO-1804", headers=PARTICIPANT))
    assert seen["email_domains"] == changed["email_domains"]
    for headers in (FAUSKE, OTHER_COORDINATOR, PARTICIPANT):
        denied = await client.put(
            "/municipalities/NO-1804/email-domains", json=body, headers=headers
        )
        assert denied.status_code == 403
    bad = await client.put(
        "/municipalities/NO-1804/email-domains",
        json={"email_domains": ["kari@bodo.kommune.no"]},
        headers=COORDINATOR,
    )
    assert bad.status_code == 422
    assert bad.json()["invalid-params"][0]["name"] == "body.email_domains.0"
    emptied = await ok(
        await client.put(
            "/municipalities/NO-1804/email-domains",
            json={"email_domains": []},
            headers=COORDINATOR,
        )
    )
    assert emptied["email_domains"] == []

    def snapshots(records: list[Any]) -> list[dict[str, Any]]:
        events = [CloudEvent.from_json(r.value) for r in records if r.key == b"NO-1804"]
        return [
            e.data
            for e in events
            if e.type == "no.samling.network.municipality.email-domains-changed.v1"
        ]

    records = await read_topic(
        stack.bootstrap, MUNICIPALITIES.name, lambda rs: len(snapshots(rs)) >= 2
    )
    assert [s["email_domains"] for s in snapshots(records)][-2:] == [
        ["bodo.kommune.no", "skole.bodo.no", "xn--bod-2na.kommune.no"],
        [],
    ]


async def test_network_lifecycle_and_its_facts(
    client: httpx.AsyncClient, stack: Stack, new_network: Callable[..., Any]
) -> None:
    network_id = await new_network("Digitalt nettverk", "digital_competence")
    denied = await client.patch(
        f"/networks/{network_id}", json={"name": "Nytt"}, headers=OTHER_COORDINATOR
    )
    assert denied.status_code == 403
    updated = await ok(
        await client.patch(
            f"/networks/{network_id}",
            json={"name": "Digital kompetanse i Salten", "description": "Skjermbruk og læring"},
            headers=COORDINATOR,
        )
    )
    assert updated["name"] == "Digital kompetanse i Salten"
    assigned = await ok(
        await client.post(
            f"/networks/{network_id}/coordinators",
            json={"user_id": "u-ragnhild"},
            headers=COORDINATOR,
        )
    )
    assert "u-ragnhild" in assigned["coordinator_ids"]
    invited = await ok(
        await client.post(
            f"/networks/{network_id}/partners",
            json={"organisation": "Nord universitet", "kind": "university"},
            headers=COORDINATOR,
        ),
        201,
    )
    assert invited["partners"][0]["partner_id"] == "par_nord-universitet"
    twice = await client.post(
        f"/networks/{network_id}/partners",
        json={"organisation": "Nord universitet", "kind": "university"},
        headers=COORDINATOR,
    )
    assert twice.status_code == 409
    posted = await ok(
        await client.post(
            f"/networks/{network_id}/announcements",
            json={
                "title": "Kompetansemidler",
                "body": "Søk innen 1. mars, så får dere svar før påske.",
            },
            headers=COORDINATOR,
        ),
        201,
    )
    announcements = await ok(
        await client.get(f"/networks/{network_id}/announcements", headers=PARTICIPANT)
    )
    assert [a["id"] for a in announcements["items"]] == [posted["id"]]
    await ok(await client.post(f"/networks/{network_id}/archive", headers=COORDINATOR))
    archived_again = await ok(
        await client.post(f"/networks/{network_id}/archive", headers=COORDINATOR)
    )
    assert archived_again["archived"] is True
    late = await client.patch(
        f"/networks/{network_id}", json={"name": "Etter arkivering"}, headers=COORDINATOR
    )
    assert late.status_code == 409
    assert "archived" in late.json()["detail"]
    listed = await ok(await client.get("/networks", headers=PARTICIPANT))
    assert network_id not in {n["id"] for n in listed["items"]}

    expected = [
        "no.samling.network.network.created.v1",
        "no.samling.network.network.updated.v1",
        "no.samling.network.coordinator.assigned.v1",
        "no.samling.network.partner.invited.v1",
        "no.samling.network.announcement.posted.v1",
        "no.samling.network.network.archived.v1",
    ]

    def of_network(records: list[Any]) -> list[str]:
        return [CloudEvent.from_json(r.value).type for r in records if r.key == network_id.encode()]

    records = await read_topic(stack.bootstrap, NETWORKS.name, lambda rs: len(of_network(rs)) >= 6)
    assert of_network(records) == expected


async def test_idempotency_key_returns_the_first_result_and_refuses_another_body(
    client: httpx.AsyncClient,
) -> None:
    body = {"name": "Helse og omsorg i Salten", "field": "health"}
    headers = {**COORDINATOR, "Idempotency-Key": "create-health-1"}
    first = await ok(await client.post("/networks", json=body, headers=headers), 201)
    repeat = await client.post("/networks", json=body, headers=headers)
    assert repeat.status_code == 201
    assert repeat.json()["id"] == first["id"]
    assert repeat.headers["Idempotent-Replayed"] == "true"
    other = await client.post("/networks", json={**body, "name": "Noe annet"}, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    listed = await ok(await client.get("/networks?field=health", headers=COORDINATOR))
    assert [n["name"] for n in listed["items"]].count("Helse og omsorg i Salten") == 1


async def test_network_lists_page_with_a_cursor(
    client: httpx.AsyncClient, new_network: Callable[..., Any]
) -> None:
    made = {await new_network(f"Barnehagenettverk {n}", "kindergarten") for n in range(5)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"field": "kindergarten", "limit": "2", **({"cursor": cursor} if cursor else {})}
        got = await ok(await client.get("/networks", params=params, headers=PARTICIPANT))
        seen += [n["id"] for n in got["items"]]
        cursor = got["next_cursor"]
        if not cursor:
            break
    assert set(seen) == made
    assert len(seen) == 5
    bad = await client.get("/networks?cursor=nonsense", headers=PARTICIPANT)
    assert bad.status_code == 400
