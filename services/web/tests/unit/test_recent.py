"""A region, its networks and municipalities are asked for once per short while, not per page;
concurrent readers of what is being asked for wait for the one answer."""

from __future__ import annotations

import asyncio

from samling_web.recent import Recent


async def test_an_answer_is_kept_for_a_while_then_asked_for_again() -> None:
    asked: list[str] = []

    async def load() -> str:
        asked.append("asked")
        return f"answer {len(asked)}"

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
