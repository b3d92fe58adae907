"""A municipality's approval queue: what waits for its administrator, across events, and
what approving or declining with a note does to it."""

import json
from datetime import timedelta
from typing import Any

import pytest
from samling_contracts.network import MunicipalityEmailDomainsChanged
from samling_contracts.topics import PARTICIPANTS_RESTRICTED, REGISTRATIONS
from samling_devtools.testing import RunningService, read_topic
from samling_runtime.auth import Role
from samling_runtime.clock import ManualClock

from .conftest import COORDINATOR, SeedNetwork, applicant, headers, published_event
from .test_public_registration import WEB, Publish, a_municipality, domains_known, publish
from .test_registration import register, token_for

pytestmark = pytest.mark.integration

__all__ = ["publish"]  # the fixture, used by name


async def test_the_queue_holds_the_municipalitys_pending_registrations_until_decided(
    events: RunningService,
    seed_network: SeedNetwork,
    publish: Publish,
    clock: ManualClock,
    topics: str,
) -> None:
    municipality, neighbour = a_municipality(), a_municipality()
    network_id = await seed_network([municipality, neighbour])
    await publish(
        MunicipalityEmailDomainsChanged(municipality_id=municipality, email_domains=["k.no"]),
        MunicipalityEmailDomainsChanged(municipality_id=neighbour, email_domains=["n.no"]),
    )
    await domains_known(events, municipality)
    await domains_known(events, neighbour)
    first = await published_event(events, network_id, title="Nettverksmøte i Bodø")
    second = await published_event(events, network_id, title="Dialogkonferanse: Lesing")
    ours = [(await register(events, first, applicant(1, municipality), h=WEB)).json()]
    clock.advance(timedelta(minutes=1))  # the queue is oldest first
    ours.append((await register(events, second, applicant(2, municipality), h=WEB)).json())
    backed = await register(events, first, applicant(3, municipality, email="a@k.no"), h=WEB)
    theirs = await register(events, first, applicant(4, neighbour), h=WEB)
    assert backed.json()["status"] == "confirmed"
    assert theirs.json()["status"] == "pending_approval"

    admin = headers([Role.MUNICIPALITY_ADMIN], municipality_id=municipality)
    queue_path = f"/municipalities/{municipality}/approvals"
    queue = (await events.client.get(queue_path, headers=admin)).json()
    assert [(i["id"], i["event_title"]) for i in queue["items"]] == [
        (ours[0]["id"], "Nettverksmøte i Bodø"),
        (ours[1]["id"], "Dialogkonferanse: Lesing"),
    ]
    assert queue["items"][0]["name"] == ours[0]["name"]
    assert queue["items"][0]["email"] == ours[0]["email"]
    # One at a time, through the cursor.
    page = (await events.client.get(queue_path, params={"limit": 1}, headers=admin)).json()
    assert [i["id"] for i in page["items"]] == [ours[0]["id"]]
    rest = await events.client.get(
        queue_path, params={"limit": 1, "cursor": page["next_cursor"]}, headers=admin
    )
    assert [i["id"] for i in rest.json()["items"]] == [ours[1]["id"]]

    approved = await events.client.post(
        f"/events/{first}/registrations/{ours[0]['id']}/approve",
        json={"note": "Velkommen!"},
        headers=admin,
    )
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["decision_note"]) == (
        "confirmed",
        "Velkommen!",
    )
    declined = await events.client.post(
        f"/events/{second}/registrations/{ours[1]['id']}/decline",
        json={"note": "Ikke ansatt hos oss."},
        headers=admin,
    )
    assert declined.status_code == 200, declined.text
    assert (declined.json()["status"], declined.json()["decision_note"]) == (
        "declined",
        "Ikke ansatt hos oss.",
    )
    emptied = (await events.client.get(queue_path, headers=admin)).json()
    assert emptied["items"] == []

    # The notes go to the participant on the restricted topic only, never with the public facts.
    def notes(records: list[Any]) -> list[dict[str, Any]]:
        found = [json.loads(r.value) for r in records]
        return [e["data"] for e in found if e["type"].endswith(".decision-noted.v1")]

    ids = {ours[0]["id"], ours[1]["id"]}
    restricted = await read_topic(
        topics,
        PARTICIPANTS_RESTRICTED.name,
        lambda rs: len([n for n in notes(rs) if n["registration_id"] in ids]) >= 2,
    )
    assert sorted(
        (n["decision"], n["note"]) for n in notes(restricted) if n["registration_id"] in ids
    ) == [("approved", "Velkommen!"), ("declined", "Ikke ansatt hos oss.")]
    approved_id = ours[0]["id"].encode()
    public = await read_topic(
        topics,
        REGISTRATIONS.name,
        lambda rs: any(approved_id in r.value and b".approved.v1" in r.value for r in rs),
    )
    assert not [r for r in public if b"Velkommen!" in r.value]

    # A participant who is forgotten takes the note along.
    link = token_for(events, ours[1]["participant_id"])
    assert (await events.client.delete(f"/manage/{link}")).status_code == 204
    erased = await events.client.get(
        f"/events/{second}/registrations/{ours[1]['id']}", headers=COORDINATOR
    )
    assert erased.json()["decision_note"] is None
    # Without a body, as before.
    neighbour_admin = headers([Role.MUNICIPALITY_ADMIN], municipality_id=neighbour)
    plain = await events.client.post(
        f"/events/{first}/registrations/{theirs.json()['id']}/approve", headers=neighbour_admin
    )
    assert (plain.status_code, plain.json()["decision_note"]) == (200, None)
