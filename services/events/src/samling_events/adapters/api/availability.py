"""What the public sees about taking part: seats left, the waiting list, who may register."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from samling_runtime.problems import not_found

from samling_events.adapters.api.deps import StoresDep, errors
from samling_events.adapters.store.seat_book import MongoSeatBook
from samling_events.adapters.store.stores import Stores
from samling_events.domain.events import Event, EventStatus

router = APIRouter(tags=["events"])


class EventView(Event):
    """An event with what a calendar shows about taking part."""

    seats_left: int | None = Field(
        description="Seats not taken (contingents' unused seats included); null when the "
        "event has no capacity limit.",
        examples=[12],
    )
    waitlist: bool = Field(
        description="Full, and registrations still open: a registration now joins the "
        "waiting list.",
        examples=[False],
    )


async def with_availability(stores: Stores, events: list[Event]) -> list[EventView]:
    taken = await asyncio.gather(*(MongoSeatBook(e.id, stores).count() for e in events))
    views = []
    for event, seats in zip(events, taken, strict=True):
        left = max(event.capacity - seats, 0)
        views.append(
            EventView(
                **event.model_dump(),
                seats_left=left,
                waitlist=left == 0 and event.open_for_registration(),
            )
        )
    return views


class Eligibility(BaseModel):
    municipality_ids: list[str] = Field(
        description="Municipalities whose people may register (sorted): the network's members, "
        "or every municipality of the region when the event is open to all or region-wide.",
        examples=[["NO-1804", "NO-1841"]],
    )


async def _public_event(event_id: str, stores: StoresDep) -> Event:
    found = await stores.events.get(event_id)
    if found is None or found.state.status == EventStatus.DRAFT:
        raise not_found("Event")
    return found.state


PublicEvent = Annotated[Event, Depends(_public_event)]
"""The path's event, unless it is a draft (which only its coordinators know of)."""


@router.get(
    "/events/{event_id}/eligibility",
    response_model=Eligibility,
    responses=errors(404),
    summary="Who may register (public)",
)
async def eligibility(event: PublicEvent, stores: StoresDep) -> Eligibility:
    """The municipalities a registration form offers. No token needed: it names ids only."""
    views = stores.network_views
    if event.network_id is None or event.open_to_all:
        ids = await views.municipalities_in(event.region_id)
    else:
        ids = await views.active_members_of(event.network_id)
    return Eligibility(municipality_ids=sorted(set(ids)))
