"""A municipality's staff's registrations across events: newest first, every status, paged,
for its own administrator and its region's coordinators only."""

from datetime import timedelta

import pytest
from samling_contracts.network import MunicipalityRegistered
from samling_contracts.vocabulary import Country
from samling_devtools.testing import RunningService, eventually
from samling_runtime.auth import Role
from samling_runtime.clock import ManualClock

from .conftest import COORDINATOR, REGION, SeedNetwork, applicant, headers, published_event
from .test_public_registration import Publish, a_municipality, publish
from .test_registration import register

pytestmark = pytest.mark.integration

__all__ = ["publish"]  # the fixture, used by name


async def test_the_list_pages_newest_first_through_every_status(
    events: RunningService, seed_network: SeedNetwork, publish: Publish, clock: ManualClock
) -> None:
    municipality, neighbour = a_municipality(), a_municipality()
    await publish(
        *(
            MunicipalityRegistered(
                municipality_id=m, region_id=REGION, number=m[3:], name=m, country=Country.NO
            )
            for m in (municipality, neighbour)
        )
    )

    async def registered() -> bool:
        found = events.db["municipality_view"].find({"_id": {"$in": [municipality, neighbour]}})
        return len(await found.to_list()) == 2

    await eventually(registered)
    network_id = await seed_network([municipality, neighbour])
    first = await published_event(events, network_id, title="Nettverksmøte i Bodø", capacity=1)
    second = await published_event(events, network_id, title="Dialogkonferanse: Lesing")
    ours = []
    for event_id, n in ((first, 1), (first, 2), (second, 3)):
        made = await register(events, event_id, applicant(n, municipality))
        assert made.status_code == 201, made.text
        ours.append(made.json())
        clock.advance(timedelta(minutes=1))
    theirs = await register(events, second, applicant(4, neighbour))
    assert theirs.status_code == 201, theirs.text

    admin = headers([Role.MUNICIPALITY_ADMIN], municipality_id=municipality)
    path = f"/municipalities/{municipality}/registrations"
    seen: list[tuple[str, str, str]] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await events.client.get(path, params=params, headers=admin)
        assert page.status_code == 200, page.text
        seen += [(i["id"], i["event_title"], i["status"]) for i in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    # Newest first; the second at a one-seat event waits, and is listed all the same.
    assert seen == [
        (ours[2]["id"], "Dialogkonferanse: Lesing", "confirmed"),
        (ours[1]["id"], "Nettverksmøte i Bodø", "waitlisted"),
        (ours[0]["id"], "Nettverksmøte i Bodø", "confirmed"),
    ]
    named = (await events.client.get(path, headers=COORDINATOR)).json()["items"]
    assert [(i["id"], i["name"]) for i in named] == [(r["id"], r["name"]) for r in reversed(ours)]

    for other in (
        headers([Role.MUNICIPALITY_ADMIN], municipality_id=neighbour),
        headers([Role.COORDINATOR], region_id="rkk-other"),
        headers([Role.PARTICIPANT], email="person1@example.no"),
    ):
        refused = await events.client.get(path, headers=other)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    bad = await events.client.get(path, params={"cursor": "nonsense"}, headers=admin)
    assert bad.status_code == 400
