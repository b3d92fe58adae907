"""The events service's read model of the network service's facts (networks, memberships,
municipalities, e-mail domains), driven through a broker: in memory in the fast tier, and the
same tests on the real Kafka and FerretDB under the integration marker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from samling_contracts.network import (
    MunicipalityEmailDomainsChanged,
    MunicipalityJoinedNetwork,
    MunicipalityLeftNetwork,
    MunicipalityRegistered,
    NetworkArchived,
    NetworkCreated,
)
from samling_devtools.fact_world import BOTH, FactWorld, fact_world, runtime_over
from samling_events.adapters.store.stores import Stores
from samling_events.handlers.table import network_subscriptions
from samling_runtime.kafka import FactSubscriptions
from samling_runtime.mongo import Document

# In the past: on the real broker these facts stay on shared topics, and a later test's world
# that reads them must find its own e-mail domains for Bodø newer than these.
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
NETWORK = "net_lesing"
BODO = "NO-1804"
KEY = f"{NETWORK}:{BODO}"


def subscribe(db: AsyncDatabase[Document]) -> FactSubscriptions:
    return network_subscriptions(runtime_over(db))


def joined(municipality: str = BODO) -> MunicipalityJoinedNetwork:
    return MunicipalityJoinedNetwork(
        network_id=NETWORK,
        municipality_id=municipality,
        membership_id=f"mem_{municipality}",
        starts_on=date(2027, 1, 1),
    )


def left(municipality: str = BODO) -> MunicipalityLeftNetwork:
    return MunicipalityLeftNetwork(
        network_id=NETWORK,
        municipality_id=municipality,
        membership_id=f"mem_{municipality}",
        ends_on=date(2027, 2, 1),
    )


@pytest.fixture(params=BOTH)
async def world(request: pytest.FixtureRequest) -> AsyncIterator[FactWorld]:
    """The read model's handlers on the in-memory broker and store, and on the real ones."""
    async with fact_world(request.param, subscribe, request) as running:
        yield running


def desk_reads(world: FactWorld) -> Stores:
    """The reads the registration desk makes of the read model, over the world's database;
    made afresh for each look-up, so no cached answer (kept a few seconds) hides a change."""
    db, unused = world.db, cast(Any, None)
    return Stores(
        events=unused,
        registrations=unused,
        seats=unused,
        participants=unused,
        roster=unused,
        memberships=db["membership_view"],
        networks=db["network_view"],
        municipalities=db["municipality_view"],
        domain_lists=db["municipality_email_domains"],
        assignments=unused,
        groups=unused,
        erasures=unused,
        anonymisations=unused,
        completions=unused,
        evaluations=unused,
        transfer=unused,
        sweep_marks=unused,
    )


async def is_member(world: FactWorld, municipality: str = BODO) -> bool:
    return await desk_reads(world).is_member(NETWORK, municipality)


async def test_join_leave_and_rejoin_in_order_leave_a_member(world: FactWorld) -> None:
    await world.publish(joined(), time=NOW)
    assert await is_member(world)
    await world.publish(left(), time=NOW + timedelta(days=1))
    assert not await is_member(world)
    await world.publish(joined(), time=NOW + timedelta(days=2))
    assert await is_member(world)
    assert not await is_member(world, "NO-1841")
    view = await world.db["membership_view"].find({}).to_list()
    assert [doc["_id"] for doc in view] == [KEY]  # one document per membership


async def test_a_redelivered_fact_is_handled_once(world: FactWorld) -> None:
    (joining,) = await world.publish(joined(), time=NOW)
    await world.publish(left(), time=NOW + timedelta(days=1))
    await world.redeliver(joining)  # a relay's retry: the same id, after the leave
    assert not await is_member(world)
    assert await world.processed() == 2


async def test_a_message_that_is_no_cloudevent_is_dead_lettered_and_the_next_handled(
    world: FactWorld,
) -> None:
    topic = joined().spec().topic.name
    await world.publish_raw(topic, b'{"not": "a cloudevent"}')
    await world.publish(joined(), time=NOW)
    assert [(d.topic, d.body) for d in world.dead_letters] == [(topic, b'{"not": "a cloudevent"}')]
    assert world.dead_letters[0].reason.startswith("ValidationError")
    assert await is_member(world)


async def test_networks_and_municipalities_are_kept_as_their_facts_say(world: FactWorld) -> None:
    created = NetworkCreated(
        network_id=NETWORK,
        region_id="rkk-salten",
        name="Lesenettverket",
        field="school",
        coordinator_ids=["u-4711"],
    )
    registered = MunicipalityRegistered(
        municipality_id=BODO, region_id="rkk-salten", number="1804", name="Bodø", country="NO"
    )
    await world.publish(created, registered, registered, NetworkArchived(network_id=NETWORK))
    network = await world.db["network_view"].find_one({"_id": NETWORK})
    assert network is not None
    assert (network["name"], network["archived"]) == ("Lesenettverket", True)
    assert await desk_reads(world).municipality_reach(BODO) == ("rkk-salten", set())
    await world.publish(joined())
    assert await desk_reads(world).municipality_reach(BODO) == ("rkk-salten", {NETWORK})


async def test_the_newest_list_of_email_domains_is_the_municipality_s(world: FactWorld) -> None:
    assert await desk_reads(world).email_domains(BODO) == frozenset()
    for day, domains in enumerate((["bodo.kommune.no", "bodo.no"], ["bodo.kommune.no"])):
        changed = MunicipalityEmailDomainsChanged(municipality_id=BODO, email_domains=domains)
        await world.publish(changed, time=NOW + timedelta(days=day))
        assert await desk_reads(world).email_domains(BODO) == frozenset(domains)
    assert await world.db["municipality_email_domains"].count_documents({}) == 2
