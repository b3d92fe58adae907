"""The lists' seat counts (``SeatCounts``): fresh, stale while one count runs, expired, bounded,
and told by the desk of this process at once (fast tier, no server)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from samling_events.adapters.store.seat_counts import SeatCounts

from .desk_world import DeskWorld

FRESH, STALE = 5.0, 30.0


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Store:
    """Seats taken per event, counting the counts; ``gate`` holds every count until set."""

    def __init__(self, **taken: int) -> None:
        self.taken = dict(taken)
        self.counts: Counter[str] = Counter()
        self.gate = asyncio.Event()
        self.gate.set()
        self.running = 0

    async def count(self, event_id: str) -> int:
        self.counts[event_id] += 1
        self.running += 1
        try:
            await self.gate.wait()
            return self.taken[event_id]
        finally:
            self.running -= 1


def counts_over(store: Store, ticks: Ticks, max_entries: int = 100) -> SeatCounts:
    return SeatCounts(
        store.count, now=ticks, fresh_seconds=FRESH, stale_seconds=STALE, max_entries=max_entries
    )


async def settle() -> None:
    """Let background counts finish."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_an_unknown_event_is_counted_once_then_served_from_memory() -> None:
    store, ticks = Store(a=3, b=7), Ticks()
    counts = counts_over(store, ticks)

    assert await counts.taken(["a", "b"]) == {"a": 3, "b": 7}
    store.taken.update(a=4)
    ticks.now += FRESH - 0.1
    assert await counts.taken(["a", "b", "a"]) == {"a": 3, "b": 7}
    assert store.counts == Counter(a=1, b=1)


async def test_a_page_counts_its_unknown_events_together() -> None:
    store = Store(**{f"e{i}": i for i in range(10)})
    counts = counts_over(store, Ticks())
    store.gate.clear()

    page = asyncio.ensure_future(counts.taken(f"e{i}" for i in range(10)))
    await settle()
    assert store.running == 10
    store.gate.set()

    assert await page == {f"e{i}": i for i in range(10)}


async def test_a_stale_entry_is_served_while_one_count_refreshes_it() -> None:
    store, ticks = Store(a=3), Ticks()
    counts = counts_over(store, ticks)
    await counts.taken(["a"])
    store.taken["a"] = 5
    store.gate.clear()
    ticks.now += FRESH

    answers = await asyncio.gather(*(counts.taken(["a"]) for _ in range(20)))

    assert answers == [{"a": 3}] * 20  # nobody waited for the count
    await settle()
    assert store.counts["a"] == 2  # the first, and one refresh for all twenty
    store.gate.set()
    await settle()
    assert await counts.taken(["a"]) == {"a": 5}
    assert store.counts["a"] == 2


async def test_concurrent_requests_for_an_unknown_event_share_one_count() -> None:
    store = Store(a=9)
    counts = counts_over(store, Ticks())
    store.gate.clear()

    waiting = asyncio.gather(*(counts.taken(["a"]) for _ in range(20)))
    await settle()
    assert store.counts["a"] == 1
    store.gate.set()

    assert await waiting == [{"a": 9}] * 20
    assert store.counts["a"] == 1


async def test_an_entry_older_than_the_stale_limit_is_counted_before_answering() -> None:
    store, ticks = Store(a=3), Ticks()
    counts = counts_over(store, ticks)
    await counts.taken(["a"])
    store.taken["a"] = 8
    ticks.now += STALE

    assert await counts.taken(["a"]) == {"a": 8}


async def test_what_the_desk_records_is_served_at_once() -> None:
    store, ticks = Store(a=3), Ticks()
    counts = counts_over(store, ticks)
    await counts.taken(["a"])

    counts.record("a", 4)

    assert await counts.taken(["a"]) == {"a": 4}
    assert store.counts["a"] == 1


async def test_a_count_running_when_the_desk_records_gives_way_to_the_desk() -> None:
    store = Store(a=3)
    counts = counts_over(store, Ticks())
    store.gate.clear()
    counting = asyncio.ensure_future(counts.taken(["a"]))
    await settle()

    counts.record("a", 4)  # the count may have read the store before the desk's write
    store.gate.set()

    assert await counting == {"a": 4}
    assert await counts.taken(["a"]) == {"a": 4}


async def test_a_desk_count_read_long_ago_is_served_once_and_refreshed() -> None:
    store, ticks = Store(a=6), Ticks()
    counts = counts_over(store, ticks)

    counts.record("a", 5, age=FRESH + 1)

    assert await counts.taken(["a"]) == {"a": 5}
    await settle()
    assert await counts.taken(["a"]) == {"a": 6}
    assert store.counts["a"] == 1


async def test_a_forgotten_event_is_counted_again() -> None:
    store = Store(a=3)
    counts = counts_over(store, Ticks())
    counts.record("a", 2)

    counts.forget("a")

    assert await counts.taken(["a"]) == {"a": 3}


async def test_the_least_recently_used_event_leaves_first() -> None:
    store = Store(a=1, b=2, c=3)
    counts = counts_over(store, Ticks(), max_entries=2)
    await counts.taken(["a", "b"])
    await counts.taken(["a"])

    await counts.taken(["c"])  # b leaves
    await counts.taken(["a", "b"])

    assert store.counts == Counter(a=1, b=2, c=1)


async def test_a_failed_count_fails_the_request_that_waits_for_it() -> None:
    counts = counts_over(Store(), Ticks())  # no event "a": the count raises

    with pytest.raises(KeyError):
        await counts.taken(["a"])


async def test_a_failed_refresh_keeps_serving_the_entry() -> None:
    store, ticks = Store(a=3), Ticks()
    counts = counts_over(store, ticks)
    await counts.taken(["a"])
    del store.taken["a"]
    ticks.now += FRESH

    assert await counts.taken(["a"]) == {"a": 3}
    await settle()
    assert await counts.taken(["a"]) == {"a": 3}
    await settle()
    assert store.counts["a"] == 3  # the failed refresh, and one more for the next request


# -- the desk of this process keeps its events' counts current --------------------------------


@pytest.fixture
async def world() -> AsyncIterator[DeskWorld]:
    w = DeskWorld()
    yield w
    await w.close()


async def test_a_registration_and_a_cancellation_show_in_the_counts_at_once(
    world: DeskWorld,
) -> None:
    event = await world.event(capacity=3)
    counts = world.desks.seat_counts
    assert await counts.taken([event.id]) == {event.id: 0}  # fresh for seconds from now on

    ada, _ = await world.register(event, "Ada")
    await world.register(event, "Bo")
    assert await counts.taken([event.id]) == {event.id: 2}

    await world.cancel(event, ada, "participant")
    assert await counts.taken([event.id]) == {event.id: 1}


async def test_another_replicas_registrations_show_once_the_entry_is_counted_again() -> None:
    world = DeskWorld(replicas=2)
    try:
        event = await world.event(capacity=3)
        ours = world.desks.seat_counts
        assert await ours.taken([event.id]) == {event.id: 0}

        await world.register(event, "Ada", replica=1)

        assert await ours.taken([event.id]) == {event.id: 0}  # fresh for a few seconds
        assert await world.replicas[1].seat_counts.taken([event.id]) == {event.id: 1}
        ours.forget(event.id)  # as if those seconds had passed
        assert await ours.taken([event.id]) == {event.id: 1}
    finally:
        await world.close()
