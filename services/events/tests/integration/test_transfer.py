"""Transfer plans against Kafka + FerretDB: who may read and share the notes (a matrix), the
two-party consent, erasure, and facts that carry no note text."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from samling_contracts.topics import PARTICIPANTS_RESTRICTED, REGISTRATIONS
from samling_devtools.query_plans import QueryRecorder, explain_plan, recorder, scanned_tables
from samling_devtools.testing import RunningService, read_topic
from samling_events.container import started_in
from samling_runtime.auth import Role
from samling_runtime.clock import ManualClock

from .conftest import COORDINATOR, SeedNetwork, applicant, headers, published_event
from .test_registration import token_for
from .transfer_world import MANAGER, Plan, course, make_plan

pytestmark = pytest.mark.integration

SECRET = "Vi prøver lesestrategier i alle fag, og Kari er usikker på om ledelsen støtter det."
ADMIN = headers([Role.MUNICIPALITY_ADMIN], municipality_id="NO-1804")
OTHER_ADMIN = headers([Role.MUNICIPALITY_ADMIN], municipality_id="NO-1833")
SYSTEM = headers([Role.SYSTEM])
BEARERS: dict[str, dict[str, str]] = {
    "coordinator": COORDINATOR,
    "municipality admin": ADMIN,
    "system client": SYSTEM,
    "anonymous": {},
}
SHARING = "/conversations/before/sharing/coordinators"


async def post(events: RunningService, path: str, body: Any = None, status: int = 200) -> Any:
    response = await events.client.post(path, json=body)
    assert response.status_code == status, (path, response.text)
    return response.json()


async def note(events: RunningService, base: str, conversation: str, field: str, text: str) -> None:
    await post(
        events, f"{base}/conversations/{conversation}/notes", {"field": field, "text": text}, 201
    )


Setup = Callable[[Plan], Awaitable[None]]


async def nothing(plan: Plan) -> None:
    pass


def proposed_by(side: str) -> Setup:
    async def setup(plan: Plan) -> None:
        base = plan.participant if side == "participant" else plan.manager
        await post(plan.events, base + SHARING + "/propose")

    return setup


#: action -> (path suffix and method, what must happen first for the action to make sense)
ACTIONS: dict[str, tuple[str, str, dict[str, Setup]]] = {
    "read notes": ("GET", "", {}),
    "propose": ("POST", SHARING + "/propose", {}),
    "agree": (
        "POST",
        SHARING + "/agree",
        {"participant": proposed_by("manager"), "*": proposed_by("participant")},
    ),
    "withdraw": ("POST", SHARING + "/withdraw", {"*": proposed_by("participant")}),
}


async def test_only_the_participant_and_the_manager_reach_the_notes(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    """Participant, manager, another participant, coordinator, municipality admin, system
    client and anonymous, by read notes / propose / agree / withdraw, each on a fresh plan with a
    note in it."""
    event_id = await course(events, await seed_network(["NO-1804"]))
    stranger = await make_plan(events, event_id)
    wrong: list[str] = []
    for action, (method, suffix, setups) in ACTIONS.items():
        for role in ("participant", "manager", "another participant", *BEARERS):
            plan = await make_plan(events, event_id)
            await note(events, plan.participant, "before", "goals_me", SECRET)
            await setups.get(role, setups.get("*", nothing))(plan)
            tries: list[tuple[str, dict[str, str]]]
            if role == "participant":
                tries = [(plan.participant, {})]
            elif role == "manager":
                tries = [(plan.manager, {})]
            elif role == "another participant":
                # Her own valid link, on this plan's registration; and her own plan's manager
                # link cannot open this one either.
                other = token_for(events, stranger.participant_id)
                tries = [
                    (f"/manage/{other}/registrations/{plan.registration_id}/transfer", {}),
                ]
            else:
                tries = [(plan.forged(side), BEARERS[role]) for side in ("participant", "manager")]
            expected = 200 if role in ("participant", "manager") else 404
            for base, auth in tries:
                response = await events.client.request(method, base + suffix, headers=auth)
                if response.status_code != expected:
                    wrong.append(f"{role} {action}: {response.status_code} != {expected}")
                if expected == 404:
                    assert response.headers["content-type"] == "application/problem+json"
                    assert SECRET not in response.text
            if action == "read notes" and expected == 200:
                notes = response.json()["conversations"][0]["notes"]
                assert [(n["text"], n["author"]) for n in notes] == [(SECRET, "participant")]
            if expected == 404:  # nothing the refused caller did shares anything
                state = (await events.client.get(plan.participant)).json()
                assert not state["conversations"][0]["sharing"][0]["shared"], (role, action)
    assert wrong == [], "\n".join(wrong)

    # What the bearer roles can reach holds no notes that were not shared with them: on an
    # event of its own whose one plan is proposed for sharing but not agreed.
    event_id = await course(events, await seed_network(["NO-1804"]))
    plan = await make_plan(events, event_id)
    await note(events, plan.participant, "before", "goals_me", SECRET)
    await proposed_by("participant")(plan)
    reads = {
        "coordinator": f"/events/{event_id}/transfer/shared",
        "municipality admin": "/municipalities/NO-1804/transfer/report-drafts",
    }
    for role, auth in BEARERS.items():
        for path in reads.values():
            response = await events.client.get(path, headers=auth)
            assert SECRET not in response.text, (role, path)
            if role == "anonymous":
                assert response.status_code == 401
            elif path == reads.get(role):
                assert response.status_code == 200
                assert response.json() == []
            else:
                assert response.status_code in (403, 404), (role, path)


async def test_shared_only_after_both_agree_and_withdrawal_hides_it_at_once(
    events: RunningService, seed_network: SeedNetwork, clock: ManualClock
) -> None:
    event_id = await course(events, await seed_network(["NO-1804"]))
    plan = await make_plan(events, event_id)
    await make_plan(events, event_id)  # a plan nobody shares
    await note(events, plan.participant, "before", "goals_me", SECRET)
    clock.advance(timedelta(minutes=1))
    await note(events, plan.manager, "before", "goals_organisation", "Felles praksis i teamet.")
    shared_path = f"/events/{event_id}/transfer/shared"

    async def coordinators_see() -> list[Any]:
        response = await events.client.get(shared_path, headers=COORDINATOR)
        assert response.status_code == 200, response.text
        found: list[Any] = response.json()
        return found

    proposal = await post(events, plan.participant + SHARING + "/propose")
    assert (proposal["shared"], proposal["awaiting"]) == (False, "manager")
    assert await coordinators_see() == []
    agreed = await post(events, plan.manager + SHARING + "/agree")
    assert agreed["shared"] is True
    [seen] = await coordinators_see()
    assert (seen["plan_id"], seen["conversation"]) == (plan.plan_id, "before")
    assert [(n["author"], n["text"]) for n in seen["notes"]] == [
        ("participant", SECRET),
        ("manager", "Felles praksis i teamet."),
    ]

    withdrawn = await post(events, plan.manager + SHARING + "/withdraw")
    assert withdrawn["shared"] is False
    assert await coordinators_see() == []
    # Agreeing again needs a new proposal: the withdrawn round stays closed.
    refused = await events.client.post(plan.participant + SHARING + "/agree")
    assert refused.status_code == 409, refused.text

    # As an experience-report draft, for the participant's municipality's administrator.
    clock.set(clock.now() + timedelta(days=40))  # the course (10 Feb) is over
    await note(events, plan.participant, "after", "effect", "Elevene leser mer.")
    await note(events, plan.manager, "after", "new_goals", "Lesing i realfag.")
    drafts = "/municipalities/NO-1804/transfer/report-drafts"
    await post(events, plan.manager + "/conversations/after/sharing/report_draft/propose")
    assert (await events.client.get(drafts, headers=ADMIN)).json() == []
    await post(events, plan.participant + "/conversations/after/sharing/report_draft/agree")
    [draft] = (await events.client.get(drafts, headers=ADMIN)).json()
    assert draft["draft"]["evaluation"] == ["Elevene leser mer."]
    assert draft["draft"]["goals"] == ["Lesing i realfag."]
    assert SECRET not in json.dumps(draft)  # the "before" notes were not shared as a report
    other = await events.client.get(
        "/municipalities/NO-1833/transfer/report-drafts", headers=OTHER_ADMIN
    )
    assert other.json() == []
    assert await coordinators_see() == []  # a report draft is not a share with coordinators


async def test_coordinators_get_counts_per_municipality_never_content(
    events: RunningService, seed_network: SeedNetwork, clock: ManualClock
) -> None:
    event_id = await course(events, await seed_network(["NO-1804", "NO-1833"]))
    bodo = [await make_plan(events, event_id) for _ in range(2)]
    await make_plan(events, event_id, municipality="NO-1833")
    await note(events, bodo[0].participant, "before", "goals_me", SECRET)
    held = await post(events, bodo[0].manager + "/conversations/before/held")
    assert held["by"] == "manager"
    again = await post(events, bodo[0].participant + "/conversations/before/held")
    assert again == held  # held once; the first mark stands
    early = await events.client.post(bodo[1].participant + "/conversations/after/held")
    assert early.status_code == 409  # the course has not ended

    summary = await events.client.get(f"/events/{event_id}/transfer/summary", headers=COORDINATOR)
    assert summary.status_code == 200, summary.text
    assert SECRET not in summary.text
    assert summary.json()["plans"] == 3
    assert summary.json()["held"] == {"before": 1, "during": 0, "after": 0}
    assert [
        (m["municipality_id"], m["plans"], m["held"]["before"])
        for m in summary.json()["municipalities"]
    ] == [
        ("NO-1804", 2, 1),
        ("NO-1833", 1, 0),
    ]
    for refused in (ADMIN, SYSTEM):
        response = await events.client.get(f"/events/{event_id}/transfer/summary", headers=refused)
        assert response.status_code == 403


async def test_erasure_removes_the_plans_and_their_notes(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    event_id = await course(events, await seed_network(["NO-1804"]))
    plan = await make_plan(events, event_id)
    kept = await make_plan(events, event_id)
    for p in (plan, kept):
        await note(events, p.participant, "before", "goals_me", SECRET)
        await post(events, p.participant + SHARING + "/propose")
        await post(events, p.manager + SHARING + "/agree")
        await post(events, p.participant + "/conversations/before/held")
    participant, manager = plan.participant, plan.manager

    erased = await events.client.post(
        f"/participants/{plan.participant_id}/erasure", headers=COORDINATOR
    )
    assert erased.status_code == 204, erased.text

    assert (await events.client.get(participant)).status_code == 404
    assert (await events.client.get(manager)).status_code == 404
    db = events.db
    for collection, field in (
        ("transfer_plans", "_id"),
        ("transfer_notes", "plan_id"),
        ("transfer_consents", "plan_id"),
        ("transfer_held", "plan_id"),
    ):
        assert await db[collection].count_documents({field: plan.plan_id}) == 0, collection
    for revisions in ("transfer_plans_revisions", "transfer_held_revisions"):
        assert (
            await db[revisions].count_documents({"aggregate_id": {"$regex": f"^{plan.plan_id}"}})
            == 0
        )
    assert "Ola Leder" not in json.dumps(
        await db["transfer_plans_revisions"].find({"aggregate_id": plan.plan_id}).to_list(),
        default=str,
    )
    # Someone else's plan is untouched, and so is what they shared.
    assert len((await events.client.get(kept.participant)).json()["conversations"][0]["notes"]) == 1
    shared = await events.client.get(f"/events/{event_id}/transfer/shared", headers=COORDINATOR)
    assert [s["plan_id"] for s in shared.json()] == [kept.plan_id]


async def test_my_registrations_say_where_a_plan_can_be_made(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    plan = await make_plan(events, await course(events, network_id))
    meeting = await published_event(events, network_id, kind="network_meeting")
    token = token_for(events, plan.participant_id)
    person = {
        **applicant(1),
        "email": (await events.db["participants"].find_one({"_id": plan.participant_id}) or {})[
            "email"
        ],
    }
    other = await events.client.post(
        f"/events/{meeting}/registrations", json=person, headers=COORDINATOR
    )
    assert other.status_code == 201, other.text
    offers = (await events.client.get(f"/manage/{token}/transfer")).json()
    assert [
        (o["registration_id"], o["offered"], o["plan_id"], o["manager_name"]) for o in offers
    ] == [
        (plan.registration_id, True, plan.plan_id, MANAGER["name"]),
        (other.json()["id"], False, None, None),
    ]
    refused = await events.client.put(
        f"/manage/{token}/registrations/{other.json()['id']}/transfer", json=MANAGER
    )
    assert refused.status_code == 404  # a network meeting has no transfer plans


async def test_a_repeated_note_is_one_note(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    plan = await make_plan(events, await course(events, await seed_network(["NO-1804"])))
    path = plan.participant + "/conversations/before/notes"
    body = {"field": "goals_me", "text": SECRET}
    first, again = [
        await events.client.post(path, json=body, headers={"Idempotency-Key": "k1"})
        for _ in range(2)
    ]
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = await events.client.post(
        path, json={**body, "text": "Noe annet."}, headers={"Idempotency-Key": "k1"}
    )
    assert other.status_code == 422
    assert len((await events.client.get(plan.participant)).json()["conversations"][0]["notes"]) == 1
    # The text is in the notes only, not in the service's idempotency records.
    for collection in await events.db.list_collection_names():
        if collection != "transfer_notes":
            assert await events.db[collection].count_documents({"text": SECRET}) == 0, collection


async def test_plans_go_when_their_registrations_age_out(
    events: RunningService, seed_network: SeedNetwork, clock: ManualClock
) -> None:
    network_id = await seed_network(["NO-1804"])
    past = await make_plan(events, await course(events, network_id))
    later = await course(
        events,
        network_id,
        starts_at="2027-12-10T09:00:00+01:00",
        ends_at="2027-12-10T15:00:00+01:00",
    )
    kept = await make_plan(events, later)
    for plan in (past, kept):
        await note(events, plan.participant, "before", "goals_me", SECRET)
    clock.set(clock.now() + timedelta(days=31 + 91))  # 91 days after the first course
    await started_in(events.app).get().sweeper.run_once()
    assert (await events.client.get(past.participant)).status_code == 404
    assert await events.db["transfer_notes"].count_documents({"plan_id": past.plan_id}) == 0
    assert (
        await events.db["transfer_plans_revisions"].count_documents({"aggregate_id": past.plan_id})
        == 0
    )
    assert (await events.client.get(kept.participant)).status_code == 200


async def test_facts_say_when_and_that_never_what_and_a_new_manager_gets_a_new_link(
    events: RunningService, seed_network: SeedNetwork, topics: str
) -> None:
    event_id = await course(events, await seed_network(["NO-1804"]))
    plan = await make_plan(events, event_id)
    await note(events, plan.manager, "before", "signs", SECRET)
    await post(events, plan.manager + "/conversations/before/held")
    moved = await events.client.post(
        f"/events/{event_id}/reschedule",
        json={"starts_at": "2027-02-17T09:00:00+01:00", "ends_at": "2027-02-17T15:00:00+01:00"},
        headers=COORDINATOR,
    )
    assert moved.status_code == 200, moved.text

    first_manager = plan.manager
    renamed = await events.client.put(
        plan.participant, json={"name": "Eva Sjef", "email": "eva.sjef@bodo.kommune.no"}
    )
    assert renamed.status_code == 200
    assert renamed.json()["manager_name"] == "Eva Sjef"
    await plan.refresh()
    assert (await events.client.get(first_manager)).status_code == 404
    assert (await events.client.get(plan.manager)).json()["you"] == "manager"
    same = await events.client.put(
        plan.participant, json={"name": "Eva Sjef", "email": "eva.sjef@bodo.kommune.no"}
    )
    assert same.status_code == 200
    await plan.refresh()
    assert (await events.client.get(plan.manager)).status_code == 200  # unchanged: same link

    def types(records: list[Any]) -> list[str]:
        return [
            json.loads(r.value)["type"].split(".transfer.")[1]
            for r in records
            if plan.plan_id.encode() in r.value and b".transfer." in r.value
        ]

    public = await read_topic(
        topics, REGISTRATIONS.name, lambda rs: "plan-rescheduled.v1" in types(rs)
    )
    assert types(public) == ["plan-created.v1", "conversation-held.v1", "plan-rescheduled.v1"]
    rescheduled = [
        json.loads(r.value)
        for r in public
        if b"plan-rescheduled" in r.value and plan.plan_id.encode() in r.value
    ]
    assert rescheduled[0]["data"]["during_due_at"] == "2027-02-17T12:00:00+01:00"
    restricted = await read_topic(
        topics, PARTICIPANTS_RESTRICTED.name, lambda rs: len(types(rs)) >= 2
    )
    named = [json.loads(r.value)["data"] for r in restricted if plan.plan_id.encode() in r.value]
    assert [(n["name"], n["email"]) for n in named] == [
        (MANAGER["name"], MANAGER["email"]),
        ("Eva Sjef", "eva.sjef@bodo.kommune.no"),
    ]
    assert named[-1]["manager_url"].endswith(plan.manager.removeprefix("/transfer/"))
    for record in [*public, *restricted]:
        assert SECRET.encode() not in record.value


@pytest.fixture
def queries() -> QueryRecorder:
    """The query recorder, installed before the service's client is made (ask for it first)."""
    found = recorder()
    found.queries.clear()
    return found


async def test_every_transfer_query_uses_an_index(
    queries: QueryRecorder, events: RunningService, seed_network: SeedNetwork, clock: ManualClock
) -> None:
    """A plan's whole life, recorded, and each query on the transfer collections explained:
    the test store plans with sequential scans off, so a Seq Scan means no index serves it."""
    event_id = await course(events, await seed_network(["NO-1804"]))
    queries.recording = True
    try:
        plan = await make_plan(events, event_id)
        await note(events, plan.participant, "before", "goals_me", SECRET)
        await post(events, plan.manager + "/conversations/before/held")
        await post(events, plan.participant + SHARING + "/propose")
        await post(events, plan.manager + SHARING + "/agree")
        await post(events, plan.participant + "/conversations/before/sharing/report_draft/propose")
        await post(events, plan.manager + "/conversations/before/sharing/report_draft/agree")
        for path, auth in (
            (f"/events/{event_id}/transfer/summary", COORDINATOR),
            (f"/events/{event_id}/transfer/shared", COORDINATOR),
            ("/municipalities/NO-1804/transfer/report-drafts", ADMIN),
        ):
            assert (await events.client.get(path, headers=auth)).status_code == 200
        await events.client.get(plan.participant)
        moved = await events.client.post(
            f"/events/{event_id}/reschedule",
            json={"starts_at": "2027-02-17T09:00:00+01:00", "ends_at": "2027-02-17T15:00:00+01:00"},
            headers=COORDINATOR,
        )
        assert moved.status_code == 200
        await events.client.post(
            f"/participants/{plan.participant_id}/erasure", headers=COORDINATOR
        )
    finally:
        queries.recording = False
    transfer = {s: q for s, q in queries.queries.items() if q.collection.startswith("transfer_")}
    assert len(transfer) >= 8, sorted(transfer)
    await make_plan(events, event_id)  # every collection has a table to explain against
    await note(events, (await make_plan(events, event_id)).participant, "before", "signs", "x")
    scans = [
        shape
        for shape, query in sorted(transfer.items())
        if scanned_tables(await explain_plan(events.db, query))
    ]
    assert scans == []


async def test_concurrent_marks_and_consents_settle_on_the_unique_ids(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    """Both people click at once, many times: one held mark (one fact), one consent each; and
    a withdrawal racing agreements leaves the conversation hidden."""
    plan = await make_plan(events, await course(events, await seed_network(["NO-1804"])))
    sides = [plan.participant, plan.manager] * 10
    held = await asyncio.gather(
        *(events.client.post(side + "/conversations/before/held") for side in sides)
    )
    assert {r.status_code for r in held} == {200}
    assert len({(r.json()["by"], r.json()["at"]) for r in held}) == 1
    assert (
        await events.db["transfer_held_revisions"].count_documents(
            {"aggregate_id": f"{plan.plan_id}:before"}
        )
        == 1
    )

    proposals = await asyncio.gather(
        *(events.client.post(side + SHARING + "/propose") for side in sides)
    )
    assert {r.status_code for r in proposals} == {200}
    assert await events.db["transfer_consents"].count_documents({"plan_id": plan.plan_id}) == 2
    assert (await events.client.get(plan.participant)).json()["conversations"][0]["sharing"][0][
        "shared"
    ]

    await post(events, plan.manager + SHARING + "/withdraw")
    await post(events, plan.participant + SHARING + "/propose")
    racing = await asyncio.gather(
        events.client.post(plan.participant + SHARING + "/withdraw"),
        *(events.client.post(plan.manager + SHARING + "/agree") for _ in range(5)),
    )
    assert racing[0].status_code == 200
    final = (await events.client.get(plan.participant)).json()["conversations"][0]["sharing"][0]
    assert final["shared"] is False
    shared = await events.client.get(
        f"/events/{plan.event_id}/transfer/shared", headers=COORDINATOR
    )
    assert shared.json() == []
