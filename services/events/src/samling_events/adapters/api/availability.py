"""What the public sees about taking part: seats left, the waiting list, who may register."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from samling_runtime.problems import not_found

from samling_events.adapters.api.deps import StoresDep, errors
from samling_events.adapters.store.seat_book import MongoSeatBook
from samling_events.adapters.store.stores import Stores
from samling_events.desk import Desks
from samling_events.domain.events import Event, EventStatus

router = APIRouter(tags=["events"])


class EventView(Event):
    """An event with what a calendar shows about taking part."""

    seats_left: int | None = Field(
        description="Seats not taken (contingents' unused seats included); null when the "
        "event has no capacity limit. Counted exactly for one event; in a list it may be a "
        "few seconds old.",
        examples=[12],
    )
    waitlist: bool = Field(
        description="Full, and registrations still open: a registration now joins the "
        "waiting list.",
        examples=[False],
    )


def with_availability(event: Event, taken: int) -> EventView:
    left = max(event.capacity - taken, 0)
    return EventView(
        **event.model_dump(),
        seats_left=left,
        waitlist=left == 0 and event.open_for_registration(),
    )


def counted(event: Event) -> bool:
    """Whether the event's seats need counting: a draft has none (nobody registers before it
    is published, and no event goes back to draft)."""
    return event.status != EventStatus.DRAFT


async def listed_with_availability(desks: Desks, events: list[Event]) -> list[EventView]:
    """A list page's events with their seats left, from this process's seat counts (a few
    seconds old at most; the desks of this process keep their own events current)."""
    taken = await desks.seat_counts.taken(e.id for e in events if counted(e))
    return [with_availability(e, taken.get(e.id, 0)) for e in events]


async def exactly_with_availability(stores: Stores, event: Event) -> EventView:
    """One event with its seats left counted now: the page a person registers from."""
    taken = await MongoSeatBook(event.id, stores).count() if counted(event) else 0
    return with_availability(event, taken)


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
