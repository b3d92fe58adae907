"""Register a batch of arrivals: seats in arrival order for as many as fit, the waiting list
for the rest, and a fresh start for those who had cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from samling_contracts.facts import Fact
from samling_kernel.decisions import Change
from samling_runtime.store import AggregateStore

from samling_events.domain.events import Event
from samling_events.domain.registrations import Registration
from samling_events.domain.seating import ensure_open, place_all, plan_seats, renew
from samling_events.use_cases.ports import SeatBook

CLAIM_ROUNDS = 20
"""How often a batch re-reads the seats after another writer took some of those it planned."""


class AlreadyRegistered(Exception):
    def __init__(self, registration_id: str) -> None:
        super().__init__(registration_id)
        self.registration_id = registration_id


class Arriving(Protocol):
    """A person at the desk (the desk's ``Arrival``): the registration, status still to
    decide, with the contact details and the trace of the request that brought them."""

    @property
    def registration(self) -> Registration: ...
    @property
    def contact(self) -> dict[str, Any]: ...
    @property
    def contact_fact(self) -> Fact: ...
    @property
    def trace(self) -> dict[str, str]: ...


@dataclass(frozen=True, slots=True)
class Admission:
    outcomes: list[Registration | AlreadyRegistered]
    """Per arrival, in order: the recorded registration, or why there is none."""
    positions: list[int | None]
    """Per arrival: the place on the waiting list, when wait-listed."""
    waiting: int
    """The new length of the waiting list."""
    freed_seats: bool
    """Seats planned for duplicates went back: the waiting list may move up."""


async def admit_arrivals(
    book: SeatBook,
    registrations: AggregateStore[Registration],
    event: Event,
    taken: dict[int, str],
    arrivals: Sequence[Arriving],
    waiting: int,
    now: datetime,
) -> Admission:
    """Seat or wait-list everyone in the batch (``taken`` is kept up to date); refused as a
    whole when the event is not open for registration."""
    ensure_open(event)
    await book.record_contacts([(a.registration, a.contact) for a in arrivals])
    regs = [a.registration for a in arrivals]
    seats = await claim_seats(book, event, taken, regs, now)
    placed, waiting = place_all(event, regs, seats, waiting)
    items = [
        (a.registration.id, Change(p.change.state, [a.contact_fact, *p.change.facts], a.trace))
        for a, p in zip(arrivals, placed, strict=True)
    ]
    clashes = set(await registrations.create_many(items))
    changes = dict(items)
    for reg_id in list(clashes):
        # Registered before: a cancelled (declined, expired) registration starts afresh.
        renewed = await registrations.update(reg_id, partial(renew, fresh=changes[reg_id]))
        if renewed.state == changes[reg_id].state:
            clashes.discard(reg_id)
    if clashes:
        await book.free([seats[r] for r in clashes if r in seats])
        for reg_id in clashes:
            taken.pop(seats.get(reg_id, 0), None)
    outcomes: list[Registration | AlreadyRegistered] = [
        AlreadyRegistered(reg_id) if reg_id in clashes else change.state for reg_id, change in items
    ]
    return Admission(outcomes, [p.position for p in placed], waiting, bool(clashes))


async def claim_seats(
    book: SeatBook,
    event: Event,
    taken: dict[int, str],
    regs: Sequence[Registration],
    now: datetime,
) -> dict[str, int]:
    """Seat numbers for as many registrations as there are free seats, in arrival order.

    The store's unique seat ids decide: a seat another writer took meanwhile is lost, the
    seats are read again and those people try the next free ones."""
    won: dict[str, int] = {}
    pending = list(regs)
    for _ in range(CLAIM_ROUNDS):
        planned = plan_seats(event, pending, taken, now)
        if not planned:
            return won
        taken.update({seat_no: reg_id for reg_id, seat_no in planned.items()})
        lost = await book.claim(planned, now)
        won.update({r: n for r, n in planned.items() if r not in lost})
        if not lost:
            return won
        taken.clear()
        taken.update(await book.taken())
        pending = [r for r in pending if r.id in lost]
    return won
