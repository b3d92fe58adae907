"""A region, its networks and municipalities are asked for once per short while, not per page."""

from __future__ import annotations

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
