"""Promote from the waiting list: free seats go to those waiting, in arrival order."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from samling_runtime.store import AggregateStore

from samling_events.domain.events import Event
from samling_events.domain.registrations import Registration, promote
from samling_events.domain.seating import (
    first_free_seat,
    has_free_seat,
    kept_promotion,
    promotes_waiting_list,
)
from samling_events.use_cases.ports import SeatBook


async def promote_waiting(
    book: SeatBook,
    registrations: AggregateStore[Registration],
    event: Event,
    taken: dict[int, str],
    now: datetime,
) -> None:
    """Offer (or give) each free seat to the first in line who may take it; someone who may
    take none of the free seats (contingents) keeps their place for the next one."""
    if not promotes_waiting_list(event):
        return
    async for reg in book.waiting_line():
        if not has_free_seat(event, taken):
            return
        seat_no = first_free_seat(event, reg, taken, now)
        if seat_no is None:
            continue
        if not await book.take(seat_no, reg.id, now):
            taken.update(await book.taken())
            continue
        taken[seat_no] = reg.id
        result = await registrations.update(
            reg.id, partial(promote, event=event, seat_no=seat_no, now=now)
        )
        if not kept_promotion(result.state, seat_no):
            # They cancelled meanwhile: give the seat back and go on down the list.
            await book.give_back(seat_no, reg.id)
            del taken[seat_no]
