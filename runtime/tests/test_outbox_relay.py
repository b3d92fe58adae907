"""The outbox relay on the real FerretDB: facts go out once, marked by inserts, never updates."""

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel
from samling_contracts import CloudEvent
from samling_contracts.network import NetworkUpdated
from samling_contracts.vocabulary import NetworkField
from samling_kernel.decisions import Change
from samling_runtime.outbox import WATERMARKS, OutboxRelay
from samling_runtime.store import AggregateStore

pytestmark = pytest.mark.integration


class Named(BaseModel):
    name: str


def renamed(aggregate_id: str, name: str) -> Change[Named]:
    fact = NetworkUpdated(network_id=aggregate_id, name=name, field=NetworkField.SCHOOL)
    return Change(Named(name=name), [fact])


class Outbox:
    """A relay whose "broker" is a list, and which can be made to fail or to dawdle."""

    def __init__(self, dawdle: Callable[[], float] = lambda: 0.0) -> None:
        self.published: list[CloudEvent] = []
        self.down = False
        self._dawdle = dawdle

    async def publish(self, events: Sequence[CloudEvent]) -> Awaitable[None]:
        # A real producer may yield to the loop before it appends (metadata, a full batch).
        await asyncio.sleep(self._dawdle())
        if self.down:
            raise ConnectionError("broker down")
        self.published.extend(events)
        return asyncio.sleep(0)


def moved(aggregate_id: str, network_id: str, name: str) -> Change[Named]:
    fact = NetworkUpdated(network_id=network_id, name=name, field=NetworkField.SCHOOL)
    return Change(Named(name=name), [fact])


async def store_for(
    db: Any, age: timedelta, on_recorded: Callable[..., None] | None = None
) -> AggregateStore[Named]:
    store: AggregateStore[Named] = AggregateStore(
        db,
        "things",
        Named,
        source="/test",
        on_recorded=on_recorded,
        now=lambda: datetime.now(UTC) - age,
    )
    await store.ensure_indexes()
    return store


async def test_written_here_sent_once_marked_by_insert_without_touching_revisions(db: Any) -> None:
    outbox = Outbox()
    store = await store_for(db, timedelta(0), lambda s, revisions: relay.recorded(s, revisions))
    relay = OutboxRelay([store], outbox.publish, sweep_interval=3600)
    await relay.relay_once()  # the start-up sweep: nothing yet
    items = [(f"t{i}", renamed(f"t{i}", f"Navn {i}")) for i in range(300)]
    await store.create_many(items)
    await store.update("t7", lambda s: renamed("t7", "Nytt navn"))

    assert await relay.relay_once() == 301
    assert await relay.relay_once() == 0
    subjects = [e.partitionkey for e in outbox.published]
    assert sorted(subjects) == sorted([f"t{i}" for i in range(300)] + ["t7"])
    t7 = [e.data for e in outbox.published if e.partitionkey == "t7"]
    assert [d["name"] for d in t7 if isinstance(d, dict)] == ["Navn 7", "Nytt navn"]
    # One marker for the batch, naming every revision in it: a row, not 301.
    markers = await store.sent.find().to_list()
    assert [len(m["sent"]) for m in markers] == [301]
    assert await store.unsent() == []
    # "sent" is recorded beside the revisions: the revision log itself is never rewritten.
    assert await store.revisions.count_documents({"pending": True}) == 301


async def test_the_sweep_sends_what_another_process_left_behind_once(db: Any) -> None:
    crashed = await store_for(db, timedelta(minutes=5))  # wrote, then died before sending
    await crashed.create_many([(f"o{i}", renamed(f"o{i}", "Før krasjet")) for i in range(40)])
    outbox = Outbox()
    survivor = await store_for(db, timedelta(0))
    relay = OutboxRelay([survivor], outbox.publish, sweep_interval=0)

    outbox.down = True
    with pytest.raises(ConnectionError):
        await relay.relay_once()
    assert outbox.published == []
    assert len(await survivor.unsent()) == 40  # nothing marked while the broker was down

    outbox.down = False
    assert await relay.relay_once() == 40
    assert await relay.relay_once() == 0  # the next sweep starts past them: nothing twice
    assert sorted(e.partitionkey for e in outbox.published) == sorted(f"o{i}" for i in range(40))
    horizon = await db[WATERMARKS].find_one({"_id": "things"})
    assert horizon is not None
    assert horizon["horizon"] > datetime.now(UTC) - timedelta(minutes=2)


async def test_the_sweep_leaves_young_revisions_to_the_replica_that_wrote_them(db: Any) -> None:
    other_replica = await store_for(db, timedelta(0))
    await other_replica.create("y1", renamed("y1", "Fersk"))
    outbox = Outbox()
    relay = OutboxRelay([await store_for(db, timedelta(0))], outbox.publish, sweep_interval=0)

    assert await relay.relay_once() == 0
    assert outbox.published == []
    horizon = await db[WATERMARKS].find_one({"_id": "things"})
    # The horizon stays at or before the unsent revision, so a later sweep still sees it.
    assert horizon is not None
    assert horizon["horizon"] <= (await other_replica.unsent())[0]["recorded_at"]


async def test_facts_of_different_aggregates_on_one_key_go_out_in_the_order_recorded(
    db: Any,
) -> None:
    """A membership that ended and the next one of the same municipality are two aggregates
    whose facts share the network's key: consumers must see the end before the new start."""
    outbox = Outbox(dawdle=lambda: random.uniform(0, 0.005))
    store = await store_for(db, timedelta(0), lambda s, revisions: relay.recorded(s, revisions))
    relay = OutboxRelay([store], outbox.publish, sweep_interval=3600)
    await relay.relay_once()
    order = [(f"m{i}", "shared" if i % 2 == 0 else f"own{i}", f"{i}") for i in range(60)]
    for aggregate_id, key, name in order:
        await store.create(aggregate_id, moved(aggregate_id, key, name))

    assert await relay.relay_once() == 60
    shared = [e.data["name"] for e in outbox.published if e.partitionkey == "shared"]
    assert shared == [name for _, key, name in order if key == "shared"]
    assert len(outbox.published) == 60


class RefusingAck(Outbox):
    """Takes every fact but refuses the ack of one of them once, as a broker that lost a
    produce request would."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused: str | None = refused

    async def publish(self, events: Sequence[CloudEvent]) -> Awaitable[None]:
        self.published.extend(events)
        if any(e.data["name"] == self.refused for e in events):
            self.refused = None
            return self._refuse()
        return asyncio.sleep(0)

    @staticmethod
    async def _refuse() -> None:
        raise ConnectionError("produce request lost")


async def test_after_a_refused_ack_the_rest_of_its_chain_goes_again_in_order(db: Any) -> None:
    outbox = RefusingAck(refused="2")
    store = await store_for(db, timedelta(0), lambda s, revisions: relay.recorded(s, revisions))
    relay = OutboxRelay([store], outbox.publish, sweep_interval=3600)
    await relay.relay_once()
    for n in range(5):
        await store.create(f"c{n}", moved(f"c{n}", "one-key", f"{n}"))

    with pytest.raises(ConnectionError):
        await relay.relay_once()
    assert len(await store.unsent()) == 3  # 0 and 1 were acknowledged; 2, 3, 4 were not
    assert await relay.relay_once() == 3
    names = [e.data["name"] for e in outbox.published]
    assert names == ["0", "1", "2", "3", "4", "2", "3", "4"]  # again, in order; not 0 and 1
    assert await store.unsent() == []


async def test_a_batch_marker_counts_until_the_horizon_passed_its_newest_revision(
    db: Any,
) -> None:
    """Markers from before batches (one per revision, under its ``_id``) still count, and a
    batch's marker carries its newest revision's time, so pruning the markers older than a
    horizon never forgets a revision of the batch recorded after it."""
    old = await store_for(db, timedelta(minutes=10))
    new = await store_for(db, timedelta(0))
    await old.create("b1", renamed("b1", "Gammel"))
    await old.create("b2", renamed("b2", "Gammel, merket alene"))
    await new.create("b3", renamed("b3", "Ny"))
    b1, b2, b3 = await old.revisions.find({}, sort=[("aggregate_id", 1)]).to_list()
    await old.sent.insert_one({"_id": b2["_id"], "recorded_at": b2["recorded_at"]})
    await new.mark_sent([b1, b3], datetime.now(UTC))

    await new.forget_sent(datetime.now(UTC) - timedelta(minutes=5))

    assert await new.unsent(datetime.now(UTC) - timedelta(minutes=5)) == []
    assert await new.sent.count_documents({}) == 1  # b2's own marker was older: pruned
    assert [r["_id"] for r in await new.unsent()] == [b2["_id"]]  # without it, b2 is unsent


async def test_later_sweeps_read_by_minute_and_the_first_reads_revisions_without_one(
    db: Any,
) -> None:
    """After a relay's first sweep, a sweep reads only the minutes since its horizon (one
    equality each) and still finds what another replica left there; a revision written
    before revisions carried their minute is found by the first sweep after a start."""
    before_minutes = await store_for(db, timedelta(seconds=30))
    await before_minutes.create("u0", renamed("u0", "Uten minutt"))
    await before_minutes.revisions.update_one(
        {"aggregate_id": "u0"}, {"$unset": {"_pending_minute": ""}}
    )
    assert (
        await before_minutes.unsent(datetime.now(UTC) - timedelta(minutes=5), by_minute=True) == []
    )
    outbox = Outbox()
    relay = OutboxRelay([await store_for(db, timedelta(0))], outbox.publish, sweep_interval=0)

    assert await relay.relay_once() == 1  # the first sweep: every revision with facts
    other_replica = await store_for(db, timedelta(seconds=10))  # wrote, then died
    await other_replica.create("u1", renamed("u1", "Etterlatt"))
    assert await relay.relay_once() == 1  # a later sweep: the minutes since the horizon
    await other_replica.create("u2", renamed("u2", "Uten minutt, etter start"))
    await other_replica.revisions.update_one(
        {"aggregate_id": "u2"}, {"$unset": {"_pending_minute": ""}}
    )
    assert await relay.relay_once() == 0  # later sweeps read nothing but those minutes
    restarted = OutboxRelay([await store_for(db, timedelta(0))], outbox.publish, sweep_interval=0)
    assert await restarted.relay_once() == 1
    assert [e.partitionkey for e in outbox.published] == ["u0", "u1", "u2"]
