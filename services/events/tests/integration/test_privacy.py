"""Erasure and anonymisation: who may erase whom, the seat an erased person leaves, and the
fact that tells other services to forget, against Kafka + FerretDB."""

import json
from datetime import timedelta
from typing import Any

import pytest
from samling_contracts.topics import REGISTRATIONS
from samling_devtools.testing import RunningService, read_topic, unique
from samling_events.container import started_in
from samling_runtime.auth import Role
from samling_runtime.clock import ManualClock

from .conftest import COORDINATOR, SeedNetwork, applicant, headers, published_event
from .test_registration import register, status_of, token_for

pytestmark = pytest.mark.integration

OTHER_REGION = headers([Role.COORDINATOR], region_id="rkk-other")
UNKNOWN = "par_00000000000000000000"


def someone(n: int) -> dict[str, Any]:
    """A person of this test alone: facts on the shared topic are keyed by their id."""
    return applicant(n, email=f"{unique('person')}@example.no")


def facts_about(records: list[Any], participant_id: str, kind: str) -> int:
    return sum(
        1
        for r in records
        if r.key == participant_id.encode() and json.loads(r.value)["type"].endswith(kind)
    )


async def test_only_the_regions_coordinators_erase_and_unknown_ids_are_404(
    events: RunningService, seed_network: SeedNetwork, topics: str
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=1)
    seated = (await register(events, event_id, someone(1))).json()
    waiting = (await register(events, event_id, someone(2))).json()
    assert (seated["status"], waiting["status"]) == ("confirmed", "waitlisted")
    person = seated["participant_id"]

    for caller, participant_id in ((OTHER_REGION, person), (COORDINATOR, UNKNOWN)):
        refused = await events.client.post(
            f"/participants/{participant_id}/erasure", headers=caller
        )
        assert refused.status_code == 404, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    # Nothing changed and nothing waits in the outbox.
    assert await events.db["participants"].find_one({"_id": person}) is not None
    assert await status_of(events, event_id, seated["id"]) == "confirmed"
    kept = await events.db["registrations"].find_one({"_id": seated["id"]})
    assert kept is not None
    assert kept["erased"] is False
    assert await events.db["erasures_revisions"].count_documents({}) == 0

    erased = await events.client.post(f"/participants/{person}/erasure", headers=COORDINATOR)
    assert erased.status_code == 204, erased.text
    assert await events.db["participants"].find_one({"_id": person}) is None
    # The seat went to the first on the waiting list, as on a cancellation.
    assert await status_of(events, event_id, seated["id"]) == "cancelled"
    assert await status_of(events, event_id, waiting["id"]) == "confirmed"

    # The refused requests published nothing: by the time the allowed erasure's fact is on
    # the topic (the outbox publishes in order), no fact names the unknown id.
    records = await read_topic(
        topics, REGISTRATIONS.name, lambda rs: facts_about(rs, person, "erased.v1") >= 1
    )
    assert facts_about(records, person, "erased.v1") == 1
    assert not [r for r in records if r.key == UNKNOWN.encode()]
    assert await events.db["erasures_revisions"].count_documents({}) == 1


async def test_forget_me_frees_the_seat_for_the_waiting_list(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    event_id = await published_event(events, network_id, capacity=1)
    seated = (await register(events, event_id, someone(1))).json()
    waiting = (await register(events, event_id, someone(2))).json()

    forgotten = await events.client.delete(f"/manage/{token_for(events, seated['participant_id'])}")
    assert forgotten.status_code == 204, forgotten.text
    assert await status_of(events, event_id, seated["id"]) == "cancelled"
    assert await status_of(events, event_id, waiting["id"]) == "confirmed"
    seats = await events.db["seats"].find({"event_id": event_id}).to_list()
    assert [s["registration_id"] for s in seats] == [waiting["id"]]
    kept = await events.db["registrations"].find_one({"_id": seated["id"]})
    assert kept is not None
    assert (kept["erased"], kept["municipality_id"]) == (True, "NO-1804")


async def test_anonymisation_after_the_last_event_tells_other_services_once(
    events: RunningService, seed_network: SeedNetwork, clock: ManualClock, topics: str
) -> None:
    network_id = await seed_network(["NO-1804"])
    past = await published_event(events, network_id)
    later = await published_event(
        events,
        network_id,
        starts_at="2027-12-10T09:00:00+01:00",
        ends_at="2027-12-10T15:00:00+01:00",
    )
    regular = someone(2)
    leaving = (await register(events, past, someone(1))).json()["participant_id"]
    staying = (await register(events, past, regular)).json()["participant_id"]
    assert (await register(events, later, regular)).status_code == 201  # expected again later
    counts = await events.client.get(f"/events/{past}/attendance", headers=COORDINATOR)
    assert counts.json() == [{"municipality_id": "NO-1804", "registered": 2, "attended": 0}]

    clock.set(clock.now() + timedelta(days=31 + 91))  # 91 days after the first event
    sweeper = started_in(events.app).get().sweeper
    await sweeper.run_once()
    await sweeper.run_once()  # a second sweep (or another replica's) tells nobody twice

    assert await events.db["participants"].find_one({"_id": leaving}) is None
    assert await events.db["participants"].find_one({"_id": staying}) is not None
    assert await events.db["anonymisations_revisions"].count_documents({}) == 1
    records = await read_topic(
        topics, REGISTRATIONS.name, lambda rs: facts_about(rs, leaving, "anonymised.v1") >= 1
    )
    assert facts_about(records, leaving, "anonymised.v1") == 1
    assert facts_about(records, staying, "anonymised.v1") == 0
    counts = await events.client.get(f"/events/{past}/attendance", headers=COORDINATOR)
    assert counts.json() == [{"municipality_id": "NO-1804", "registered": 2, "attended": 0}]
