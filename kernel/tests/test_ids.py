"""The one id scheme: a later id sorts after an earlier one as text, and ids do not repeat."""

import re
import time

import pytest
from samling_kernel.ids import new_id


def test_ids_sort_by_the_millisecond_they_were_made(monkeypatch: pytest.MonkeyPatch) -> None:
    made = []
    # Across a digit boundary of the hex stamp, where a stamp without padding would mis-sort.
    for nanos in (0xFFF * 1_000_000, 0x1000 * 1_000_000, 0x1_0000_0000_00 * 1_000_000):
        monkeypatch.setattr(time, "time_ns", lambda n=nanos: n)
        made.append(new_id("evt"))
    assert made == sorted(made)
    assert all(re.fullmatch(r"evt_[0-9a-f]{22}", i) for i in made)


def test_ids_made_in_the_same_millisecond_differ() -> None:
    assert len({new_id("reg") for _ in range(10_000)}) == 10_000
