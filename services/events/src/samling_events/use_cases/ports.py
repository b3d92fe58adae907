"""What the use cases need from the store and the desks, as small interfaces: the adapters
implement them over MongoDB, the fast tier over an in-memory store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from samling_events.domain.events import Event
from samling_events.domain.registrations import Registration


class SeatBook(Protocol):
    """One event's seats (one document per taken seat, unique per seat number) and its
    waiting list, as the store holds them."""

    async def taken(self) -> dict[int, str]:
        """Seat number -> registration id, read afresh."""
        ...

    async def claim(self, planned: Mapping[str, int], now: datetime) -> set[str]:
        """Take these seats (registration id -> seat number) in one write; returns the
        registrations whose seat another writer took first."""
        ...

    async def take(self, seat_no: int, registration_id: str, now: datetime) -> bool:
        """Take one seat; False when another writer holds it."""
        ...

    async def give_back(self, seat_no: int, registration_id: str) -> None:
        """Free a seat, if this registration still holds it."""
        ...

    async def free(self, seat_nos: Iterable[int]) -> None: ...

    async def release(self, registration_ids: Sequence[str]) -> None:
        """Free the seats these registrations held."""
        ...

    async def waiting_count(self) -> int: ...

    def waiting_line(self) -> AsyncIterator[Registration]:
        """The waiting list in arrival order (time, then the desk's sequence)."""
        ...

    async def record_contacts(self, people: Sequence[tuple[Registration, dict[str, Any]]]) -> None:
        """The participants' names and e-mails and the registrations' roster lines."""
        ...


class SeatReleases(Protocol):
    """The registration desks: freed seats go to the waiting list through them."""

    async def release(self, event_id: str, registration_ids: list[str]) -> None: ...

    async def promote(self, event_id: str) -> None: ...


class EventDesks(SeatReleases, Protocol):
    """The desks again, for a changed event: they must read it afresh."""

    def forget(self, event_id: str) -> None:
        """Drop the cached copy of the event (capacity, status... changed)."""
        ...


class SeatUsage(Protocol):
    """What an event's registrations hold: the capacity and contingents may not undercut it."""

    async def highest_taken_seat(self, event_id: str) -> int:
        """The highest seat number taken (0 when none is)."""
        ...

    async def has_registrations(self, event_id: str) -> bool: ...


class TransferPlans(Protocol):
    """The participants' transfer plans, whose conversations are dated from their event."""

    async def follow(self, event: Event, after: timedelta) -> None:
        """Move the event's plans with it (TransferPlanRescheduled for each that moved)."""
        ...


class Overlaps(Protocol):
    """The events that could clash with one being planned."""

    async def overlapping(self, event: Event) -> list[Event]:
        """The other events not cancelled that overlap it in time and share its network or
        its venue."""
        ...


class ConfirmedParticipants(Protocol):
    async def confirmed_at(self, event_id: str) -> list[Registration]:
        """The event's confirmed registrations (those who will be there)."""
        ...


class FollowUpRecords(Protocol):
    """Who completed which assignment, and the evaluations: one record per person each."""

    async def mark_completed(
        self, assignment_id: str, registration_id: str, at: datetime
    ) -> None: ...

    async def save_evaluation(
        self, event_id: str, registration_id: str, answers: dict[str, Any], at: datetime
    ) -> None:
        """The participant's evaluation; an earlier one is replaced."""
        ...
