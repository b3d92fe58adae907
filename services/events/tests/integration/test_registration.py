"""Registration rules, the waiting list and the facts they publish, against Kafka + FerretDB."""

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from samling_contracts.topics import EVENTS, PARTICIPANTS_RESTRICTED, REGISTRATIONS
from samling_devtools.testing import RunningService, read_topic
from samling_events.adapters.api.tokens import manage_token
from samling_events.container import started_in
from samling_events.domain.events import EventDetails
from samling_events.settings import EventsSettings
from samling_runtime.auth import Role
from samling_runtime.clock import ManualClock

from .conftest import COORDINATOR, SeedNetwork, applicant, headers, published_event

pytestmark = pytest.mark.integration


async def register(events: RunningService, event_id: str, body: dict[str, Any], **kw: Any) -> Any:
    response = await events.client.post(
        f"/events/{event_id}/registrations", json=body, headers=kw.pop("h", COORDINATOR), **kw
    )
    return response


async def status_of(events: RunningService, event_id: str, reg_id: str) -> str:
    response = await events.client.get(
        f"/events/{event_id}/registrations/{reg_id}", headers=COORDINATOR
    )
    assert response.status_code == 200, response.text
    status: str = response.json()["status"]
    return status


def token_for(events: RunningService, participant_id: str) -> str:
    settings = events.app.state.runtime.settings
    assert isinstance(settings, EventsSettings)
    return manage_token(participant_id, settings.participant_secret.get_secret_value())


async def test_facts_keep_personal_data_on_the_restricted_topic(
    events: RunningService, seed_network: SeedNetwork, topics: str
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=1)
    first = await register(events, event_id, applicant(1))
    second = await register(events, event_id, applicant(2))
    assert (first.json()["status"], second.json()["status"]) == ("confirmed", "waitlisted")

    def types(records: list[Any]) -> list[str]:
        return [json.loads(r.value)["type"] for r in records if r.key == event_id.encode()]

    public = await read_topic(topics, REGISTRATIONS.name, lambda rs: len(types(rs)) >= 2)
    mine = [r for r in public if r.key == event_id.encode()]
    assert sorted(t.rsplit(".", 2)[-2] for t in types(mine)) == ["confirmed", "waitlisted"]
    assert all(b"example.no" not in r.value and b"Person" not in r.value for r in mine)

    participant = first.json()["participant_id"]
    restricted = await read_topic(
        topics,
        PARTICIPANTS_RESTRICTED.name,
        lambda rs: any(r.key == participant.encode() for r in rs),
    )
    contact = next(json.loads(r.value) for r in restricted if r.key == participant.encode())
    assert contact["data"]["email"] == "person1@example.no"
    assert contact["data"]["manage_url"].startswith("http")

    scheduled = await read_topic(
        topics, EVENTS.name, lambda rs: any(r.key == event_id.encode() for r in rs)
    )
    assert any(b"event.scheduled.v1" in r.value for r in scheduled if r.key == event_id.encode())


async def test_members_only_unless_open_to_all(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    closed = await published_event(events, network_id)
    refused = await register(events, closed, applicant(1, "NO-1841"))
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("not-a-member")
    open_event = await published_event(events, network_id, open_to_all=True)
    accepted = await register(events, open_event, applicant(1, "NO-1841"))
    assert accepted.status_code == 201
    assert accepted.json()["member"] is False


async def test_a_double_click_registers_once(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id)
    key = {"Idempotency-Key": "click-1", **COORDINATOR}
    both = await asyncio.gather(
        *(register(events, event_id, applicant(1), h=key) for _ in range(2))
    )
    assert [r.status_code for r in both] == [201, 201]
    assert both[0].json()["id"] == both[1].json()["id"]
    again = await register(events, event_id, applicant(1))  # no key: refused as a duplicate
    assert again.status_code == 409
    assert again.json()["registration_id"] == both[0].json()["id"]
    assert await events.db["registrations"].count_documents({"event_id": event_id}) == 1


async def test_questions_are_checked(events: RunningService, seed_network: SeedNetwork) -> None:
    network_id = await seed_network(["NO-1804"])
    questions = [
        {"id": "diet", "label": "Diett?", "required": True},
        {"id": "group", "label": "Gruppe", "options": ["A", "B"]},
    ]
    event_id = await published_event(events, network_id, questions=questions)
    missing = await register(events, event_id, applicant(1, answers={"group": "A"}))
    assert missing.status_code == 422
    assert "Diett?" in missing.json()["detail"]
    wrong = await register(events, event_id, applicant(1, answers={"diet": "x", "group": "C"}))
    assert wrong.status_code == 422
    ok = await register(events, event_id, applicant(1, answers={"diet": "Vegetar", "group": "B"}))
    assert ok.status_code == 201
    assert ok.json()["answers"] == {"diet": "Vegetar", "group": "B"}
    # The organiser adds a question later: the event's details are replaced as a whole.
    event = (await events.client.get(f"/events/{event_id}", headers=COORDINATOR)).json()
    details = {k: event[k] for k in EventDetails.model_fields}
    access = {"id": "access", "label": "Tilrettelegging?"}
    changed = await events.client.put(
        f"/events/{event_id}/details",
        json={**details, "questions": [*questions, access]},
        headers=COORDINATOR,
    )
    assert changed.status_code == 200, changed.text
    assert [q["id"] for q in changed.json()["questions"]] == ["diet", "group", "access"]


async def test_a_cancellation_promotes_the_next_in_line(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=2)
    regs = [(await register(events, event_id, applicant(n))).json() for n in range(4)]
    assert [r["status"] for r in regs] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    cancelled = await events.client.post(
        f"/events/{event_id}/registrations/{regs[0]['id']}/cancel", headers=COORDINATOR
    )
    assert cancelled.json()["status"] == "cancelled"
    assert await status_of(events, event_id, regs[2]["id"]) == "confirmed"
    assert await status_of(events, event_id, regs[3]["id"]) == "waitlisted"

    # Raising the capacity gives the new seat to the next one.
    event = (await events.client.get(f"/events/{event_id}", headers=COORDINATOR)).json()
    details = {k: event[k] for k in ("title", "venue", "capacity")}
    raised = await events.client.put(
        f"/events/{event_id}/details", json={**details, "capacity": 3}, headers=COORDINATOR
    )
    assert raised.status_code == 200, raised.text
    assert raised.json()["sequence"] == 1
    assert await status_of(events, event_id, regs[3]["id"]) == "confirmed"
    lowered = await events.client.put(
        f"/events/{event_id}/details", json={**details, "capacity": 1}, headers=COORDINATOR
    )
    assert lowered.status_code == 409


async def test_offers_expire_to_the_next_and_a_promoted_cancellation_does_not_block(
    events: RunningService, seed_network: SeedNetwork, clock: ManualClock
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=1, offer_hours=24)
    regs = [(await register(events, event_id, applicant(n))).json() for n in range(4)]
    sweeper = started_in(events.app).get().sweeper

    await events.client.post(
        f"/events/{event_id}/registrations/{regs[0]['id']}/cancel", headers=COORDINATOR
    )
    assert await status_of(events, event_id, regs[1]["id"]) == "offered"

    clock.advance(timedelta(hours=25))
    await sweeper.run_once()
    assert await status_of(events, event_id, regs[1]["id"]) == "offer_expired"
    assert await status_of(events, event_id, regs[2]["id"]) == "offered"

    # The one offered cancels through the private link: the list moves on at once.
    token = token_for(events, regs[2]["participant_id"])
    gone = await events.client.post(f"/manage/{token}/registrations/{regs[2]['id']}/cancel")
    assert gone.status_code == 200, gone.text
    assert await status_of(events, event_id, regs[3]["id"]) == "offered"
    accepted = await events.client.post(
        f"/manage/{token_for(events, regs[3]['participant_id'])}/registrations/{regs[3]['id']}/accept"
    )
    assert accepted.json()["status"] == "confirmed"
    assert await events.db["seats"].count_documents({"event_id": event_id}) == 1


async def test_contingents_are_kept_then_released(
    events: RunningService, seed_network: SeedNetwork, clock: ManualClock
) -> None:
    network_id = await seed_network(["NO-1804", "NO-1841"])
    release_at = (clock.now() + timedelta(days=7)).isoformat()
    event_id = await published_event(
        events,
        network_id,
        capacity=3,
        contingents=[{"municipality_id": "NO-1841", "seats": 2, "release_at": release_at}],
    )
    bodo = [(await register(events, event_id, applicant(n, "NO-1804"))).json() for n in range(3)]
    assert [r["status"] for r in bodo] == ["confirmed", "waitlisted", "waitlisted"]
    fauske = (await register(events, event_id, applicant(9, "NO-1841"))).json()
    assert fauske["status"] == "confirmed"
    assert fauske["seat_no"] in (1, 2)

    clock.advance(timedelta(days=8))
    await started_in(events.app).get().sweeper.run_once()
    assert await status_of(events, event_id, bodo[1]["id"]) == "confirmed"
    assert await status_of(events, event_id, bodo[2]["id"]) == "waitlisted"


async def test_participants_cancel_only_until_the_deadline(
    events: RunningService, seed_network: SeedNetwork, clock: ManualClock
) -> None:
    network_id = await seed_network(["NO-1804"])
    deadline = (clock.now() + timedelta(days=1)).isoformat()
    event_id = await published_event(events, network_id, cancellation_deadline=deadline)
    me = headers([Role.PARTICIPANT], email="person1@example.no")
    reg = (await register(events, event_id, applicant(1), h=me)).json()
    assert reg["status"] == "confirmed"
    mine = await events.client.get(f"/manage/{token_for(events, reg['participant_id'])}")
    assert [r["id"] for r in mine.json()["registrations"]] == [reg["id"]]
    assert mine.json()["registrations"][0]["name"] == "Person 1"
    assert (await events.client.get("/manage/not-a-token")).status_code == 404

    clock.advance(timedelta(days=2))
    late = await events.client.post(
        f"/events/{event_id}/registrations/{reg['id']}/cancel", headers=me
    )
    assert late.status_code == 409
    assert "deadline" in late.json()["detail"]
    by_organiser = await events.client.post(
        f"/events/{event_id}/registrations/{reg['id']}/cancel", headers=COORDINATOR
    )
    assert by_organiser.json()["status"] == "cancelled"


async def test_a_cancelled_registration_can_register_again(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=1)
    first = (await register(events, event_id, applicant(1))).json()
    await register(events, event_id, applicant(2))
    await events.client.post(
        f"/events/{event_id}/registrations/{first['id']}/cancel", headers=COORDINATOR
    )
    again = await register(events, event_id, applicant(1))
    assert again.status_code == 201, again.text
    assert again.json()["id"] == first["id"]
    assert again.json()["status"] == "waitlisted"  # person 2 got the freed seat first
    assert await status_of(events, event_id, first["id"]) == "waitlisted"
