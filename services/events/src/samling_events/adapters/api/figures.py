"""An event's figures for the coordinator's dashboard: seats, waiting list, offers, approvals.

The web app's dashboard reads these once per event when it renders, and again for one event
each time a registration fact about it arrives, so the read is a handful of indexed counts
(the seats by ``event_id``, the registrations by ``event_id`` + ``status``) and never the
event's registrations themselves.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from pydantic import BaseModel, Field

from samling_events.adapters.api.deps import ManagedEvent, StoresDep, errors
from samling_events.adapters.store.seat_book import MongoSeatBook
from samling_events.domain.registrations import RegistrationStatus

router = APIRouter(tags=["registrations"])


class EventFigures(BaseModel):
    event_id: str = Field(examples=["evt_01"])
    capacity: int = Field(description="Seats the event has.", examples=[40])
    seats_taken: int = Field(
        description="Seats held: confirmed, waiting for approval, or offered.", examples=[38]
    )
    waitlisted: int = Field(description="People on the waiting list.", examples=[4])
    offered: int = Field(
        description="Open offers: a freed seat waiting for the next in line to accept.",
        examples=[1],
    )
    pending_approval: int = Field(
        description="Registrations holding a seat until their municipality approves.",
        examples=[2],
    )
    checked_in: int = Field(description="Confirmed participants checked in.", examples=[0])


@router.get(
    "/events/{event_id}/figures",
    response_model=EventFigures,
    responses=errors(403, 404),
    summary="Seats, waiting list, offers and approvals (coordinators)",
)
async def figures(event: ManagedEvent, stores: StoresDep) -> EventFigures:
    """Only the region's coordinators: the figures of a draft or another region's event are
    theirs to plan with. Each figure is one count on an index (seats: ``event_id``;
    registrations: ``event_id``, ``status``)."""
    registrations = stores.registration_queries
    seats, waitlisted, offered, pending, checked_in = await asyncio.gather(
        MongoSeatBook(event.id, stores).count(),
        registrations.count_at(event.id, RegistrationStatus.WAITLISTED),
        registrations.count_at(event.id, RegistrationStatus.OFFERED),
        registrations.count_at(event.id, RegistrationStatus.PENDING_APPROVAL),
        registrations.count_at(event.id, RegistrationStatus.CONFIRMED, attended=True),
    )
    return EventFigures(
        event_id=event.id,
        capacity=event.capacity,
        seats_taken=seats,
        waitlisted=waitlisted,
        offered=offered,
        pending_approval=pending,
        checked_in=checked_in,
    )
