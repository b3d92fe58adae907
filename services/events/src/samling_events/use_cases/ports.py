"""What the use cases need from the store and the desks, as small interfaces: the adapters
implement them over MongoDB, the fast tier over an in-memory store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

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
