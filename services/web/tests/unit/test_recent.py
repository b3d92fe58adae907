"""A region, its networks and municipalities are asked for once per short while, not per page;
concurrent readers of what is being asked for wait for the one answer."""

from __future__ import annotations

import asyncio

import pytest
from samling_web.recent import Recent


class Answers:
    """A load that counts how often it is asked: "answer 1", then "answer 2", and so on."""

    def __init__(self) -> None:
        self.asked = 0

    async def __call__(self) -> str:
        self.asked += 1
        return f"answer {self.asked}"


async def test_an_answer_is_kept_for_a_while_then_asked_for_again() -> None:
    load = Answers()
    kept = Recent(seconds=60)
    assert await kept.get("region:rkk-salten", load) == "answer 1"
    assert await kept.get("region:rkk-salten", load) == "answer 1"
    assert await kept.get("region:other", load) == "answer 2"
    expired = Recent(seconds=0)
    assert await expired.get("region:rkk-salten", load) == "answer 3"
    assert await expired.get("region:rkk-salten", load) == "answer 4"


async def test_readers_of_a_key_being_loaded_share_the_load_and_a_forgotten_key_loads_again() -> (
    None
):
    asked: list[str] = []
    release = asyncio.Event()

    async def load() -> str:
        asked.append("asked")
        await release.wait()
        return f"answer {len(asked)}"

    kept = Recent(seconds=60)
    readers = [asyncio.ensure_future(kept.get("event:evt_1", load, seconds=2)) for _ in range(50)]
    await asyncio.sleep(0)
    release.set()
    assert set(await asyncio.gather(*readers)) == {"answer 1"}
    assert asked == ["asked"]
    kept.forget("event:evt_1")
    assert await kept.get("event:evt_1", load) == "answer 2"


async def test_just_after_expiry_readers_get_the_kept_answer_while_one_load_runs() -> None:
    asked: list[str] = []
    release = asyncio.Event()

    async def load() -> str:
        asked.append("asked")
        if len(asked) > 1:
            await release.wait()
        return f"answer {len(asked)}"

    kept = Recent(seconds=0.05)
    assert await kept.get("event:evt_1", load) == "answer 1"
    await asyncio.sleep(0.06)  # expired, within the grace
    readers = await asyncio.wait_for(
        asyncio.gather(*(kept.get("event:evt_1", load) for _ in range(20))), timeout=1
    )
    assert readers == ["answer 1"] * 20  # nobody waited for the service
    assert asked == ["asked", "asked"]  # and it was asked once
    release.set()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert await kept.get("event:evt_1", load) == "answer 2"


async def test_long_after_expiry_readers_wait_for_a_fresh_answer() -> None:
    load = Answers()
    kept = Recent(seconds=0.02)
    assert await kept.get("event:evt_1", load) == "answer 1"
    await asyncio.sleep(0.05)  # past the lifetime and the grace (no longer than the lifetime)
    assert await kept.get("event:evt_1", load) == "answer 2"


async def test_a_failed_reload_in_the_background_is_seen_once_the_grace_is_over() -> None:
    calls: list[str] = []

    async def load() -> str:
        calls.append("asked")
        if len(calls) > 1:
            raise ConnectionError("the events API is down")
        return "answer 1"

    kept = Recent(seconds=0.05)
    assert await kept.get("event:evt_1", load) == "answer 1"
    await asyncio.sleep(0.06)
    assert await kept.get("event:evt_1", load) == "answer 1"  # kept, reload failing behind it
    await asyncio.sleep(0.06)  # past the grace
    with pytest.raises(ConnectionError):
        await kept.get("event:evt_1", load)
