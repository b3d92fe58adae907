"""A mail whose address arrived while its attempt was under way: the attempt found none, and
the retry goes out at once instead of after its wait (the arrival came too early to hasten a
retry that did not exist yet). Each arrival does so once: no loop of attempts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from samling_devtools.memory_store import MemoryDatabase
from samling_notifications.adapters.delivery.jobs import (
    ADDRESS_WAIT,
    WAITING_FOR_FACTS,
    Job,
    Outcome,
)
from samling_notifications.adapters.delivery.ledger import Ledger
from samling_notifications.adapters.delivery.recorder import Recorder
from samling_notifications.adapters.store.stores import Delivery, DeliveryBatch, Stores
from samling_notifications.domain.notices import Status
from samling_notifications.settings import NotificationsSettings
from samling_runtime.clock import ManualClock
from samling_runtime.store import AggregateStore

from .given import NOW


def notice(recipient_id: str, event_id: str = "evt_1") -> dict[str, Any]:
    return {
        "_id": f"ntf_{recipient_id}",
        "recipient_id": recipient_id,
        "channel": "email",
        "kind": "registration.confirmed",
        "source_event_id": f"fact_{recipient_id}",
        "refs": {"event_id": event_id},
    }


def recorder_over(db: MemoryDatabase, clock: ManualClock) -> Recorder:
    store = cast(Any, db)
    unused = cast(Any, None)
    stores = Stores(
        store,
        AggregateStore(store, "deliveries", Delivery, source="test", now=clock.now),
        unused,
        unused,
        AggregateStore(store, "delivery_batches", DeliveryBatch, source="test", now=clock.now),
    )
    return Recorder(stores, NotificationsSettings(), clock, Ledger(stores))


def no_address(recipient_id: str) -> Outcome:
    return Outcome(Job(notice(recipient_id), 1), Status.RETRYING, WAITING_FOR_FACTS[0])


async def test_an_address_that_arrived_during_the_attempt_is_tried_again_at_once() -> None:
    clock = ManualClock(NOW)
    recorder = recorder_over(MemoryDatabase(), clock)
    ledger = recorder.ledger
    # Kari's address is stored while her attempt is under way; Ola's is still missing.
    ledger.hasten(clock.now(), recipients={"par_kari"}, events=())
    await recorder._record([no_address("par_kari"), no_address("par_ola")])
    again = ledger.jobs.get_nowait()
    assert (again.notice["recipient_id"], again.attempt) == ("par_kari", 2)
    assert ledger.jobs.empty()
    [waiting] = ledger.retries
    assert waiting.job.notice["recipient_id"] == "par_ola"
    assert waiting.at == clock.now() + ADDRESS_WAIT


async def test_an_arrival_brings_one_attempt_forward_not_every_one() -> None:
    clock = ManualClock(NOW)
    recorder = recorder_over(MemoryDatabase(), clock)
    ledger = recorder.ledger
    ledger.hasten(clock.now(), recipients={"par_kari"}, events=())
    await recorder._record([no_address("par_kari")])
    second = ledger.jobs.get_nowait()
    # Still no address on the second attempt (say, it was erased meanwhile): now it waits.
    await recorder._record([Outcome(second, Status.RETRYING, WAITING_FOR_FACTS[0])])
    assert ledger.jobs.empty()
    [waiting] = ledger.retries
    assert waiting.job.attempt == 3
    assert waiting.at > clock.now() + timedelta(seconds=1)


async def test_event_details_that_arrived_during_the_attempt_count_too() -> None:
    clock = ManualClock(NOW)
    recorder = recorder_over(MemoryDatabase(), clock)
    ledger = recorder.ledger
    ledger.hasten(clock.now(), recipients=(), events={"evt_2"})
    late = Outcome(Job(notice("par_kari", "evt_2"), 1), Status.RETRYING, WAITING_FOR_FACTS[1])
    other = Outcome(Job(notice("par_ola", "evt_1"), 1), Status.RETRYING, WAITING_FOR_FACTS[1])
    await recorder._record([late, other])
    assert ledger.jobs.get_nowait().notice["recipient_id"] == "par_kari"
    assert ledger.jobs.empty()
    assert [d.job.notice["recipient_id"] for d in ledger.retries] == ["par_ola"]
