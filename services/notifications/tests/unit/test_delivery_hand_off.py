"""How e-mail notices are handed over: the intake writes a small batch's mail chunk while it
reads the preferences and hands each new mail to the senders with them; a mail whose address
arrived while its attempt was under way (the attempt found none) is tried again at once
instead of after its wait, once per arrival: no loop of attempts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from samling_devtools.memory_store import MemoryDatabase
from samling_kernel.decisions import Change
from samling_notifications.adapters.delivery.intake import Intake
from samling_notifications.adapters.delivery.jobs import (
    ADDRESS_WAIT,
    WAITING_FOR_FACTS,
    Job,
    Outcome,
)
from samling_notifications.adapters.delivery.ledger import Ledger
from samling_notifications.adapters.delivery.recorder import Recorder
from samling_notifications.adapters.store.stores import Delivery, DeliveryBatch, Stores
from samling_notifications.domain.notices import (
    Draft,
    Kind,
    Preferences,
    Recipient,
    RecipientType,
    Status,
)
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


def stores_over(db: MemoryDatabase, clock: ManualClock) -> Stores:
    store = cast(Any, db)
    return Stores(
        store,
        AggregateStore(store, "deliveries", Delivery, source="test", now=clock.now),
        AggregateStore(store, "preferences", Preferences, source="test", now=clock.now),
        cast(Any, None),  # webhook endpoints: not in these paths
        AggregateStore(store, "delivery_batches", DeliveryBatch, source="test", now=clock.now),
    )


def recorder_over(db: MemoryDatabase, clock: ManualClock) -> Recorder:
    stores = stores_over(db, clock)
    return Recorder(stores, NotificationsSettings(), clock, Ledger(stores))


def draft(kind: Kind, recipient_id: str) -> Draft:
    return Draft(
        kind=kind,
        source_event_id=f"fact_{recipient_id}",
        recipients=[Recipient(id=recipient_id, type=RecipientType.PARTICIPANT)],
        refs={"event_id": "evt_1"},
    )


async def test_a_confirmation_goes_to_the_senders_with_its_chunk_and_preferences() -> None:
    db, clock = MemoryDatabase(), ManualClock(NOW)
    stores = stores_over(db, clock)
    await stores.preferences.create(
        "par_kari", Change(Preferences(recipient_id="par_kari", language="nn"))
    )
    ledger = Ledger(stores)
    intake = Intake(stores, clock, ledger, "dw_test")
    assert await intake.queue(draft(Kind.REGISTRATION_CONFIRMED, "par_kari")) == 2
    job = ledger.jobs.get_nowait()
    assert (job.attempt, job.language, job.preferences_read) == (1, "nn", True)
    [chunk] = db["mail_chunks"].documents().values()
    notices = db["notifications"].documents()
    assert {n["channel"] for n in notices.values()} == {"inbox", "email"}
    # Written before the preferences were known, the chunk names each notice it holds.
    assert set(notices) <= set(chunk["ids"])
    assert {n["chunk"] for n in notices.values()} == {chunk["_id"]}
    assert ledger.open == {chunk["_id"]: 1}


async def test_a_batch_that_tells_nobody_leaves_no_chunk_behind() -> None:
    db, clock = MemoryDatabase(), ManualClock(NOW)
    stores = stores_over(db, clock)
    await stores.preferences.create(
        "par_ola", Change(Preferences(recipient_id="par_ola", unsubscribed=True))
    )
    ledger = Ledger(stores)
    intake = Intake(stores, clock, ledger, "dw_test")
    assert await intake.queue(draft(Kind.ANNOUNCEMENT, "par_ola")) == 0
    assert db["mail_chunks"].documents() == {}
    assert db["notifications"].documents() == {}
    assert ledger.open == {}
    assert ledger.jobs.empty()


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


async def test_event_details_that_arrived_while_the_outcome_was_written_count_too() -> None:
    """The arrival lands after the recorder looked for one and before the retry is in the heap
    (the integration test met it under load: the mail then waited for its backoff)."""
    clock = ManualClock(NOW)
    recorder = recorder_over(MemoryDatabase(), clock)
    ledger = recorder.ledger
    deliveries = recorder.stores.deliveries
    write = deliveries.create_many

    async def create_many_while_the_event_arrives(*args: Any, **kwargs: Any) -> Any:
        written = await write(*args, **kwargs)
        assert ledger.hasten(clock.now(), recipients=(), events={"evt_2"}) == 0  # none waits yet
        return written

    deliveries.create_many = create_many_while_the_event_arrives  # type: ignore[method-assign]
    late = Outcome(Job(notice("par_kari", "evt_2"), 1), Status.RETRYING, WAITING_FOR_FACTS[1])
    await recorder._record([late])
    again = ledger.jobs.get_nowait()
    assert (again.notice["recipient_id"], again.attempt) == ("par_kari", 2)
    assert ledger.retries == []
