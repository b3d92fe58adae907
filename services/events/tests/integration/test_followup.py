"""Templates, series, conflicts, assignments, groups, approval, check-in, evaluation, calendars,
erasure and anonymisation, against Kafka + FerretDB."""

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from samling_contracts.topics import EVENTS, REGISTRATIONS
from samling_devtools.testing import RunningService, read_topic
from samling_events.container import started_in
from samling_runtime.auth import Role
from samling_runtime.clock import ManualClock

from .conftest import COORDINATOR, SeedNetwork, applicant, headers, new_event, published_event
from .test_registration import register, status_of, token_for

pytestmark = pytest.mark.integration


async def test_short_afternoon_template_assigns_pre_and_post_work_and_announces_due(
    events: RunningService, seed_network: SeedNetwork, clock: ManualClock, topics: str
) -> None:
    network_id = await seed_network(["NO-1804"])
    made = await events.client.post(
        "/events/from-template",
        json={
            "template": "short_afternoon",
            "network_id": network_id,
            "title": "Dialogkonferanse: Vurdering for læring",
            "starts_at": "2027-02-10T12:00:00+01:00",
            "venue": "Fauske",
            "capacity": 40,
        },
        headers=COORDINATOR,
    )
    assert made.status_code == 201, made.text
    event_id = made.json()["event"]["id"]
    assert [a["phase"] for a in made.json()["assignments"]] == ["pre", "post"]
    assert len(made.json()["event"]["agenda"]) == 2
    await events.client.post(f"/events/{event_id}/publish", headers=COORDINATOR)
    reg = (await register(events, event_id, applicant(1))).json()
    pre = made.json()["assignments"][0]["id"]
    token = token_for(events, reg["participant_id"])
    done = await events.client.post(
        f"/manage/{token}/registrations/{reg['id']}/assignments/{pre}/done"
    )
    assert done.status_code == 204
    progress = await events.client.get(f"/events/{event_id}/assignments", headers=COORDINATOR)
    assert progress.json()[0]["completed_by"] == [reg["id"]]
    assert progress.json()[1]["completed_by"] == []

    pre_due, post_due = (datetime.fromisoformat(a["due_at"]) for a in made.json()["assignments"])
    sweeper = started_in(events.app).get().sweeper
    await sweeper.run_once()  # before either is due: nothing to announce
    assert await events.db["assignments"].count_documents({"due_announced": True}) == 0
    clock.set(pre_due + timedelta(minutes=1))  # the pre-work is due, the follow-up is not
    assert clock.now() < post_due
    await sweeper.run_once()
    await sweeper.run_once()  # a second sweep announces nothing twice

    def due(records: list[Any]) -> list[str]:
        return [
            json.loads(r.value)["data"]["assignment_id"]
            for r in records
            if r.key == event_id.encode() and b"assignment.due.v1" in r.value
        ]

    records = await read_topic(topics, EVENTS.name, lambda rs: len(due(rs)) >= 1)
    assert due(records) == [pre]
    announced = await events.db["assignments"].distinct("_id", {"due_announced": True})
    assert announced == [pre]


async def test_the_private_link_shows_my_assignments_group_and_evaluation_only(
    events: RunningService, seed_network: SeedNetwork, clock: ManualClock
) -> None:
    network_id = await seed_network(["NO-1804", "NO-1841"])
    made = await events.client.post(
        "/events/from-template",
        json={"template": "short_afternoon", "network_id": network_id,
              "title": "Dialogkonferanse: Min side", "starts_at": "2027-02-10T12:00:00+01:00",
              "venue": "Fauske", "capacity": 40},
        headers=COORDINATOR,
    )  # fmt: skip
    event_id = made.json()["event"]["id"]
    pre, post = (a["id"] for a in made.json()["assignments"])
    await events.client.post(f"/events/{event_id}/publish", headers=COORDINATOR)
    regs = [
        (await register(events, event_id, applicant(n, "NO-1804" if n < 2 else "NO-1841"))).json()
        for n in range(4)
    ]
    mine, other = regs[0], regs[1]
    link = f"/manage/{token_for(events, mine['participant_id'])}/registrations/{mine['id']}"
    before = await events.client.get(f"{link}/followup")
    assert before.status_code == 200, before.text
    assert [(a["assignment"]["id"], a["done"]) for a in before.json()["assignments"]] == [
        (pre, False),
        (post, False),
    ]
    assert before.json()["group"] is None
    assert before.json()["evaluated"] is False

    other_link = f"/manage/{token_for(events, other['participant_id'])}"
    await events.client.post(
        f"{other_link}/registrations/{other['id']}/assignments/{post}/done"
    )  # someone else's completion is not mine
    await events.client.post(f"{link}/assignments/{pre}/done")
    groups = await events.client.post(
        f"/events/{event_id}/groups", json={"size": 2}, headers=COORDINATOR
    )
    (number,) = [
        g["number"] for g in groups.json()["groups"] if mine["id"] in g["registration_ids"]
    ]
    clock.set(datetime.fromisoformat("2027-02-10T13:00:00+01:00"))
    await events.client.put(f"{link}/evaluation", json={"rating": 5})
    after = (await events.client.get(f"{link}/followup")).json()
    assert [a["done"] for a in after["assignments"]] == [True, False]
    assert after["group"] == number
    assert after["evaluated"] is True
    # Another participant's link does not open my registration.
    assert (
        await events.client.get(f"{other_link}/registrations/{mine['id']}/followup")
    ).status_code == 404


async def test_series_by_rrule_changes_one_or_all_and_conflicts_are_reported(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    series = await events.client.post(
        "/series",
        json={**new_event(network_id, kind="network_meeting"), "rrule": "FREQ=MONTHLY;COUNT=4"},
        headers=COORDINATOR,
    )
    assert series.status_code == 201, series.text
    occurrences = series.json()["events"]
    assert len(occurrences) == 4
    assert occurrences[1]["starts_at"].startswith("2027-03-10")
    # The same time on the clock in Oslo after summer time begins (28 March).
    oslo = ZoneInfo("Europe/Oslo")
    local = [datetime.fromisoformat(e["starts_at"]).astimezone(oslo) for e in occurrences]
    assert {(t.hour, t.minute) for t in local} == {(local[0].hour, local[0].minute)}
    assert local[2].utcoffset() != local[0].utcoffset()
    bad = await events.client.post(
        "/series", json={**new_event(network_id), "rrule": "FREQ=DAILY"}, headers=COORDINATOR
    )
    assert bad.status_code == 422

    one = occurrences[2]["id"]
    moved = await events.client.post(
        f"/events/{one}/reschedule",
        json={"starts_at": "2027-04-11T09:00:00+02:00", "ends_at": "2027-04-11T15:00:00+02:00"},
        headers=COORDINATOR,
    )
    assert moved.json()["sequence"] == 1
    details = {"title": "Nettverksmøte", "venue": "Bodø rådhus", "capacity": 30}
    changed = await events.client.put(
        f"/series/{series.json()['series_id']}/details", json=details, headers=COORDINATOR
    )
    assert {e["title"] for e in changed.json()["events"]} == {"Nettverksmøte"}
    assert len(changed.json()["events"]) == 4
    # The series read together, by start (the moved one among them), for its coordinators.
    together = await events.client.get(f"/series/{series.json()['series_id']}", headers=COORDINATOR)
    assert [e["id"] for e in together.json()["events"]] == [e["id"] for e in occurrences]
    assert together.json()["events"][2]["starts_at"].startswith("2027-04-11")
    unknown = await events.client.get("/series/ser_unknown", headers=COORDINATOR)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"

    clash = await published_event(events, network_id, venue="Bodø rådhus", title="Temadag")
    found = await events.client.get(f"/events/{clash}/conflicts", headers=COORDINATOR)
    assert [c["event_id"] for c in found.json()] == [occurrences[0]["id"]]
    assert found.json()[0]["reason"] == "same network and same venue"


async def test_groups_approval_checkin_evaluation_and_attendance_counts(
    events: RunningService, seed_network: SeedNetwork, clock: ManualClock, topics: str
) -> None:
    network_id = await seed_network(["NO-1804", "NO-1841"])
    event_id = await published_event(events, network_id, requires_approval=True, capacity=10)
    regs = [
        (await register(events, event_id, applicant(n, "NO-1804" if n < 4 else "NO-1841"))).json()
        for n in range(6)
    ]
    assert {r["status"] for r in regs} == {"pending_approval"}
    bodo_admin = headers([Role.MUNICIPALITY_ADMIN], municipality_id="NO-1804")
    fauske_admin = headers([Role.MUNICIPALITY_ADMIN], municipality_id="NO-1841")
    wrong = await events.client.post(
        f"/events/{event_id}/registrations/{regs[4]['id']}/approve", headers=bodo_admin
    )
    assert wrong.status_code == 404
    for r in regs[:4]:
        ok = await events.client.post(
            f"/events/{event_id}/registrations/{r['id']}/approve", headers=bodo_admin
        )
        assert ok.json()["status"] == "confirmed"
    await events.client.post(
        f"/events/{event_id}/registrations/{regs[4]['id']}/approve", headers=fauske_admin
    )
    declined = await events.client.post(
        f"/events/{event_id}/registrations/{regs[5]['id']}/decline", headers=fauske_admin
    )
    assert declined.json()["status"] == "declined"

    def kinds(records: list[Any]) -> list[str]:
        return [
            json.loads(r.value)["type"].split(".")[-2]
            for r in records
            if r.key == event_id.encode()
        ]

    records = await read_topic(topics, REGISTRATIONS.name, lambda rs: "declined" in kinds(rs))
    assert kinds(records).count("approved") == 5
    assert kinds(records).count("declined") == 1

    groups = await events.client.post(
        f"/events/{event_id}/groups", json={"size": 3}, headers=COORDINATOR
    )
    assert [len(g["registration_ids"]) for g in groups.json()["groups"]] == [3, 2]
    moved = await events.client.post(
        f"/events/{event_id}/groups/moves",
        json={"registration_id": groups.json()["groups"][0]["registration_ids"][0], "group": 1},
        headers=COORDINATOR,
    )
    assert [len(g["registration_ids"]) for g in moved.json()["groups"]] == [2, 3]
    mover = groups.json()["groups"][0]["registration_ids"][0]
    again = await events.client.post(
        f"/events/{event_id}/groups", json={"size": 3}, headers=COORDINATOR
    )
    # Allocating again keeps the coordinator's move.
    assert again.json()["groups"] == moved.json()["groups"]
    assert again.json()["moves"] == {mover: 1}

    early = await events.client.post(
        f"/events/{event_id}/registrations/{regs[0]['id']}/attendance",
        json={"attended": True},
        headers=COORDINATOR,
    )
    assert early.status_code == 409
    clock.set(clock.now() + timedelta(days=31, hours=1))  # the event day
    for r in regs[:3]:
        checked = await events.client.post(
            f"/events/{event_id}/registrations/{r['id']}/attendance",
            json={"attended": True},
            headers=COORDINATOR,
        )
        assert checked.json()["attended"] is True, checked.text
    token = token_for(events, regs[0]["participant_id"])
    answer = await events.client.put(
        f"/manage/{token}/registrations/{regs[0]['id']}/evaluation",
        json={"rating": 4, "useful_for_practice": True, "comment": "Godt"},
    )
    assert answer.status_code == 204
    second = token_for(events, regs[1]["participant_id"])
    answer = await events.client.put(
        f"/manage/{second}/registrations/{regs[1]['id']}/evaluation", json={"rating": 3}
    )
    assert answer.status_code == 204
    summary = await events.client.get(f"/events/{event_id}/evaluations", headers=COORDINATOR)
    assert summary.json()["responses"] == 2
    assert summary.json()["average_rating"] == 3.5
    # The second left the optional question unanswered.
    assert (summary.json()["useful_share"], summary.json()["useful_answers"]) == (1, 1)
    assert summary.json()["comments"] == ["Godt"]

    counts = await events.client.get(f"/events/{event_id}/attendance", headers=COORDINATOR)
    expected = [
        {"municipality_id": "NO-1804", "registered": 4, "attended": 3},
        {"municipality_id": "NO-1841", "registered": 1, "attended": 0},
    ]
    assert counts.json() == expected

    # Anonymised 90 days after: the people are gone, the counts stay.
    clock.set(clock.now() + timedelta(days=100))
    await started_in(events.app).get().sweeper.run_once()
    assert await events.db["participants"].count_documents({}) == 0
    docs = await events.db["registrations"].find({"event_id": event_id}).to_list()
    assert {d["participant_id"] for d in docs} == {"anonymous"}
    revisions = await events.db["registrations_revisions"].find({}).to_list()
    assert all(b"example.no" not in json.dumps(r["events"]).encode() for r in revisions)
    counts = await events.client.get(f"/events/{event_id}/attendance", headers=COORDINATOR)
    assert counts.json() == expected


async def test_calendars_keep_the_uid_and_raise_the_sequence(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id)
    reg = (await register(events, event_id, applicant(1))).json()

    async def entry(path: str, **kw: Any) -> Any:
        response = await events.client.get(path, **kw)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/calendar")
        entries = Calendar.from_ical(response.content).walk("VEVENT")
        return [e for e in entries if str(e["uid"]).startswith(event_id)]

    first = (await entry(f"/events/{event_id}/calendar.ics", headers=COORDINATOR))[0]
    assert int(first["sequence"]) == 0
    await events.client.post(
        f"/events/{event_id}/reschedule",
        json={"starts_at": "2027-02-17T09:00:00+01:00", "ends_at": "2027-02-17T15:00:00+01:00"},
        headers=COORDINATOR,
    )
    await events.client.post(f"/events/{event_id}/cancel", json={}, headers=COORDINATOR)
    for path in (
        f"/calendars/networks/{network_id}.ics",
        "/calendars/municipalities/NO-1804.ics",
        f"/manage/{token_for(events, reg['participant_id'])}/calendar.ics",
    ):
        [latest] = await entry(path)
        assert latest["uid"] == first["uid"]
        assert int(latest["sequence"]) == 2
        assert latest["status"] == "CANCELLED"


async def test_erasure_removes_the_person_and_tells_others(
    events: RunningService, seed_network: SeedNetwork, topics: str
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id)
    reg = (await register(events, event_id, applicant(7))).json()
    token = token_for(events, reg["participant_id"])
    assert (await events.client.delete(f"/manage/{token}")).status_code == 204
    assert await events.db["participants"].find_one({"_id": reg["participant_id"]}) is None
    kept = await events.db["registrations"].find_one({"_id": reg["id"]})
    assert kept is not None
    assert kept["municipality_id"] == "NO-1804"
    assert kept["erased"] is True
    records = await read_topic(
        topics,
        REGISTRATIONS.name,
        lambda rs: any(r.key == reg["participant_id"].encode() for r in rs),
    )
    assert any(b"participant.erased.v1" in r.value for r in records)
    assert await status_of(events, event_id, reg["id"]) == "cancelled"  # the seat is free again
