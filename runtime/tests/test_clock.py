"""The clocks services run against: frozen for unit tests, travelling for journeys."""

import time
from datetime import UTC, datetime, timedelta

from samling_runtime.clock import ManualClock, TravellingClock


def test_a_manual_clock_stands_still_until_moved() -> None:
    clock = ManualClock(datetime(2027, 1, 4, 8, 0, tzinfo=UTC))
    time.sleep(0.01)
    assert clock.now() == datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    clock.advance(timedelta(hours=1))
    assert clock.now() == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def test_a_travelling_clock_keeps_running_after_it_is_moved() -> None:
    clock = TravellingClock()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=1)
    target = datetime.now(UTC) + timedelta(days=3)
    clock.set(target)
    moved = clock.now()
    assert abs(moved - target) < timedelta(seconds=1)
    time.sleep(0.05)
    assert clock.now() - moved >= timedelta(milliseconds=50)  # time still passes
    clock.advance(timedelta(hours=2))
    assert clock.now() - target >= timedelta(hours=2)
