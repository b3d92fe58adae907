"""A registration changes after the desk: cancelled, an offer accepted or expired, a claim
approved or declined. A change that frees a seat hands it to the desks for the waiting list."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Literal

from samling_runtime.store import AggregateStore

from samling_events.domain import registrations as rules
from samling_events.domain.events import Event
from samling_events.domain.registrations import ACTIVE, Registration
from samling_events.use_cases.ports import SeatReleases


async def cancel(
    registrations: AggregateStore[Registration],
    desks: SeatReleases,
    now: datetime,
    event: Event,
    reg: Registration,
    by: Literal["participant", "organiser", "system"],
) -> Registration:
    """Participants until the cancellation deadline, organisers and the system any time."""
    result = await registrations.update(reg.id, lambda r: rules.cancel(r, event, by, now))
    if reg.status in ACTIVE:
        await desks.release(event.id, [reg.id])
    return result.state


async def accept_offer(
    registrations: AggregateStore[Registration], now: datetime, event: Event, reg: Registration
) -> Registration:
    """Take the offered seat before the offer expires."""
    result = await registrations.update(reg.id, lambda r: rules.accept_offer(r, event, now))
    return result.state


async def approve(
    registrations: AggregateStore[Registration], reg: Registration, note: str | None
) -> Registration:
    """The municipality confirms a claim waiting for it: the seat it held is the person's."""
    result = await registrations.update(reg.id, partial(rules.approve, note=note))
    return result.state


async def decline(
    registrations: AggregateStore[Registration],
    desks: SeatReleases,
    reg: Registration,
    note: str | None,
) -> Registration:
    """The municipality refuses a claim waiting for it: the seat goes to the waiting list."""
    result = await registrations.update(reg.id, partial(rules.decline, note=note))
    await desks.release(reg.event_id, [reg.id])
    return result.state


async def expire_offer(
    registrations: AggregateStore[Registration],
    desks: SeatReleases,
    reg: Registration,
    now: datetime,
) -> None:
    """An offer not accepted in time: the seat passes to the next in line."""
    await registrations.update(reg.id, lambda r: rules.expire_offer(r, now))
    await desks.release(reg.event_id, [reg.id])
