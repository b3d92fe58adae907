"""An injectable clock, so reminders, deadlines and offers are tested without sleeping."""

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment


class TravellingClock:
    """Real time that a test can move: a retry due in five seconds still comes due five seconds
    later, while a reminder a day away is reached with :meth:`set` instead of by sleeping.

    A frozen :class:`ManualClock` would hold back every short timer a service keeps against
    its clock (an e-mail waiting for an address that travels on another topic, an offer's
    deadline) until the test happened to move it.
    """

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

    def set(self, moment: datetime) -> None:
        self._offset = moment - datetime.now(UTC)
