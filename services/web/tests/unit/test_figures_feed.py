"""The live figures' hand-over inside one web process: every open stream hears of every
changed event, a burst about one event is one re-read, and facts naming no event are skipped."""

from __future__ import annotations

import asyncio

from samling_contracts import CloudEvent
from samling_web.figures_feed import FiguresFeed, event_of


def fact(data: dict[str, str]) -> CloudEvent:
    return CloudEvent.model_validate({
        "id": "f-1", "source": "/events", "type": "no.samling.events.registration.confirmed.v1",
        "time": "2027-01-10T08:00:00Z", "partitionkey": "k", "data": data,
    })  # fmt: skip


async def test_every_stream_hears_each_event_once_per_burst() -> None:
    feed = FiguresFeed()
    async with feed.listen() as first, feed.listen() as second:
        for event_id in ("evt_a", "evt_a", "evt_b", "evt_a"):
            feed.changed(event_id)
        assert await first.changed() == {"evt_a", "evt_b"}
        assert await second.changed() == {"evt_a", "evt_b"}
        waiting = asyncio.create_task(first.changed())
        await asyncio.sleep(0.01)
        assert not waiting.done()  # nothing new: the stream waits
        feed.changed("evt_c")
        assert await asyncio.wait_for(waiting, 1) == {"evt_c"}
    feed.changed("evt_d")  # a closed stream is no longer told


def test_only_facts_about_an_event_count() -> None:
    assert event_of(fact({"event_id": "evt_a", "registration_id": "reg_1"})) == "evt_a"
    assert event_of(fact({"participant_id": "par_1"})) is None  # erasure names a person
