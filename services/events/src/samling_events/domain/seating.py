"""Who gets which seat: the registration desk's rules, with no store and no queue.

The desk (``desk.py``) batches and stores; the use cases
(``samling_events.use_cases``) call these rules in the order the desk works: plan seats for a
batch in arrival order, wait-list the rest with their places in line, renew a registration
that ended, and promote from the waiting list while an event can still use its seats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from samling_kernel.decisions import Change, Refusal, Refused

from samling_events.domain.events import Event, EventStatus
from samling_events.domain.registrations import ACTIVE, HOLDS_SEAT, Registration, admit

PROMOTING = frozenset({EventStatus.PUBLISHED, EventStatus.REGISTRATION_CLOSED})
"""Events whose waiting list moves up: published, or closed for new registrations only."""


def ensure_open(event: Event) -> None:
    """Nobody reaches the desk's seats or waiting list while registration is not open."""
    if not event.open_for_registration():
        raise Refused("Registration for this event is not open.", kind=Refusal.CONFLICT)


def promotes_waiting_list(event: Event) -> bool:
    return event.status in PROMOTING


def fills_freed_seats(event: Event, now: datetime) -> bool:
    """Whether the sweep gives this event's free seats to its waiting list: while it
    promotes and has not ended. A seat of an event that is over is of no use to anyone, and
    the waiting lists of past events stay (neither the end nor anonymisation clears them)."""
    return promotes_waiting_list(event) and now < event.ends_at


def has_free_seat(event: Event, taken: Mapping[int, str]) -> bool:
    return len(taken) < event.capacity


def first_free_seat(
    event: Event, reg: Registration, taken: Mapping[int, str], now: datetime
) -> int | None:
    """The best seat this registration may take (own contingent, open pool, then released
    contingents), or None when every seat it may take is taken."""
    for seats in event.seat_ranges(reg.municipality_id, reg.member, now):
        for seat_no in seats:
            if seat_no not in taken:
                return seat_no
    return None


def plan_seats(
    event: Event, regs: Iterable[Registration], taken: Mapping[int, str], now: datetime
) -> dict[str, int]:
    """Seat numbers for as many registrations as there are free seats, in the order given
    (arrival order): an earlier arrival never loses a seat to a later one."""
    held = dict(taken)
    planned: dict[str, int] = {}
    for reg in regs:
        seat_no = first_free_seat(event, reg, held, now)
        if seat_no is not None:
            planned[reg.id] = seat_no
            held[seat_no] = reg.id
    return planned


@dataclass(frozen=True, slots=True)
class Placed:
    """One arrival's outcome: the change to record and, when wait-listed, the place in line."""

    change: Change[Registration]
    position: int | None


def place_all(
    event: Event, regs: Sequence[Registration], seats: Mapping[str, int], waiting: int
) -> tuple[list[Placed], int]:
    """Seat those who won a seat and wait-list the others behind the ``waiting`` already in
    line, in arrival order; returns the outcomes and the new length of the waiting list."""
    placed: list[Placed] = []
    for reg in regs:
        seat_no = seats.get(reg.id)
        position = None
        if seat_no is None:
            waiting += 1
            position = waiting
        placed.append(Placed(admit(reg, event, seat_no, waiting), position))
    return placed, waiting


def renew(current: Registration, fresh: Change[Registration]) -> Change[Registration] | None:
    """Registering again after a cancellation (or a decline, or an expired offer) starts
    afresh; a registration still active stays as it is (the second try is a duplicate)."""
    return None if current.status in ACTIVE else fresh


def kept_promotion(reg: Registration, seat_no: int) -> bool:
    """Whether the promoted registration holds the seat it was given (it may have been
    cancelled between the seat's insert and the promotion)."""
    return reg.seat_no == seat_no and reg.status in HOLDS_SEAT
