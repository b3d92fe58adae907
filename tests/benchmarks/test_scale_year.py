"""The scale benchmark's loader leaves a year as a running events service would have: what
its retention anonymised is anonymised, and its sweeps have nothing of the past to catch up."""

from datetime import UTC, datetime, timedelta

from samling_devtools.benchmarking import sibling
from samling_devtools.memory_store import memory_database
from samling_events.adapters.store.retention import ENDED_LOOKBACK, Anonymisation
from samling_events.adapters.store.stores import EVENTS_BY_END
from samling_events.domain.events import Event
from samling_events.domain.registrations import Registration
from samling_runtime.clock import ManualClock
from samling_runtime.processed import MARKERS_BY_HOUR
from samling_runtime.time_buckets import LOOKBACK, BucketSweep

YEAR = sibling("benchmarks/scale_year.py")
HISTORY = sibling("benchmarks/scale_history.py")
NOW = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)


def _event(event_id: str, ended_days_ago: int) -> Event:
    ends = NOW - timedelta(days=ended_days_ago)
    return Event.model_validate(
        {
            "id": event_id,
            "region_id": "rkk-salten",
            "kind": "network_meeting",
            "title": event_id,
            "venue": "Bodø",
            "capacity": 10,
            "starts_at": ends - timedelta(hours=5),
            "ends_at": ends,
            "timezone": "Europe/Oslo",
            "status": "published",
        }
    )


def _registration(reg_id: str, event_id: str, participant_id: str) -> Registration:
    return Registration.model_validate(
        {
            "id": reg_id,
            "event_id": event_id,
            "participant_id": participant_id,
            "municipality_id": "NO-1804",
            "role": "Lærer",
            "member": True,
            "status": "confirmed",
            "seat_no": 0,
            "arrived_at": NOW - timedelta(days=200),
            "arrival_seq": 1,
        }
    )


def test_registrations_past_retention_are_anonymised_and_people_with_none_left_go() -> None:
    old, recent = _event("evt_old", 100), _event("evt_recent", 10)
    registrations = [
        _registration("reg_1", "evt_old", "par_only_old"),
        _registration("reg_2", "evt_old", "par_both"),
        _registration("reg_3", "evt_recent", "par_both"),
    ]
    registered = {"evt_old": NOW - timedelta(days=120), "evt_recent": NOW - timedelta(days=30)}

    kept = HISTORY.retained([old, recent], registrations, registered, NOW)

    erased = {r.id for r in kept.registrations if r.erased}
    assert erased == kept.anonymised == {"reg_1", "reg_2"}
    assert kept.leaving == {"par_only_old": old.ends_at + HISTORY.ANONYMISE_AFTER}
    assert kept.recorded["reg_1"] == old.ends_at + HISTORY.ANONYMISE_AFTER
    assert kept.recorded["reg_3"] == registered["evt_recent"]


async def test_the_events_service_finds_nothing_to_catch_up_on_the_loaded_year() -> None:
    db = memory_database()
    year = YEAR.Year(0)  # 20 events that ended about 180 days ago
    await YEAR.load_events(db, year, NOW)
    await HISTORY.age_runtime(db, NOW)

    assert await db["registrations"].count_documents({"erased": False}) == 0
    assert await db["roster"].count_documents({}) == 0
    assert await db["participants"].count_documents({}) == 0
    assert await db["anonymisations"].count_documents({}) == year.people
    stores = await HISTORY.events_stores(db, ManualClock(NOW))
    assert await Anonymisation(stores, HISTORY.ANONYMISE_AFTER).run(NOW) == 0
    ended = BucketSweep("anonymise-ended", EVENTS_BY_END, stores.sweep_marks, ENDED_LOOKBACK)
    due = await ended.due(NOW - HISTORY.ANONYMISE_AFTER)
    assert [b.whole for b in due] == [False], "only the day the horizon falls in is read again"
    markers = BucketSweep("processed-events", MARKERS_BY_HOUR, stores.sweep_marks, LOOKBACK)
    assert [b.whole for b in await markers.due(NOW - HISTORY.PROCESSED_RETENTION)] == [False]
