"""HTTP routes for events: scheduling, changing, and the lifecycle."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, Field
from samling_contracts.vocabulary import EventKind
from samling_runtime.auth import CurrentPrincipal, Principal, Role
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.inputs import MultiLine, RequestBody, SingleLine, page_limit
from samling_runtime.pagination import Page, decode_cursor, encode_cursor
from samling_runtime.problems import Problem, not_found

from samling_events.adapters.api.availability import (
    EventView,
    exactly_with_availability,
    listed_with_availability,
)
from samling_events.adapters.api.deps import (
    Coordinator,
    DesksDep,
    ManagedEvent,
    RuntimeDep,
    SettingsDep,
    StoresDep,
    errors,
    visible_event,
)
from samling_events.adapters.store.seat_usage import StoredSeatUsage
from samling_events.adapters.store.stores import (
    Stores,
    listed_ways,
    listing_timeline,
    of_kind,
    open_to,
)
from samling_events.domain.events import Event, EventDetails, EventStatus, TimeZoneName
from samling_events.use_cases import event_changes, event_planning
from samling_events.use_cases.event_planning import Planner

router = APIRouter(prefix="/events", tags=["events"])


class NewEvent(EventDetails):
    """An event to plan. It starts as a draft; publish it to open registration."""

    kind: EventKind = Field(examples=["dialogue_conference"])
    network_id: SingleLine | None = Field(
        None,
        description="The owning network; leave out for a region-wide event.",
        examples=["net_01"],
    )
    starts_at: AwareDatetime = Field(examples=["2027-02-10T09:00:00+01:00"])
    ends_at: AwareDatetime = Field(examples=["2027-02-10T15:00:00+01:00"])
    timezone: TimeZoneName = Field("Europe/Oslo", examples=["Europe/Oslo"])


class NewTimes(RequestBody):
    starts_at: AwareDatetime = Field(examples=["2027-02-17T09:00:00+01:00"])
    ends_at: AwareDatetime = Field(examples=["2027-02-17T15:00:00+01:00"])
    timezone: TimeZoneName | None = Field(None, description="Keep the current one when absent.")
    message: MultiLine | None = Field(
        None,
        max_length=1000,
        description="Told to those registered with the new time.",
        examples=["Innleder er syk; vi flytter en uke."],
    )


class Cancellation(RequestBody):
    reason: MultiLine | None = Field(None, max_length=1000, examples=["Sykdom hos innleder"])


def details_of(body: EventDetails) -> EventDetails:
    """Only the details of a body that carries more (kind, network, times...)."""
    return EventDetails.model_validate(body.model_dump(include=set(EventDetails.model_fields)))


async def planner(stores: Stores, principal: Principal, network_id: str | None) -> Planner:
    """The coordinator planning in their region, for one of its networks that is not archived
    (404 for another region's: they may not plan there)."""
    region_id = principal.region_id or ""
    if network_id is not None:
        network = await stores.network_views.network(network_id)
        if network is None or network.region_id != region_id:
            raise not_found("Network")
        if network.archived:
            raise Problem(409, "This network is archived.", kind="conflict")
    return Planner(principal.subject, region_id, network_id)


@router.post("", status_code=201, response_model=Event, responses=errors(403, 404))
async def create_event(
    body: NewEvent,
    principal: Coordinator,
    stores: StoresDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Plan an event in the coordinator's region (a draft until published)."""
    by = await planner(stores, principal, body.network_id)

    async def operation() -> tuple[int, Event]:
        event = await event_planning.plan_event(
            stores.events,
            by,
            body.kind,
            body.starts_at,
            body.ends_at,
            body.timezone,
            details_of(body),
        )
        return 201, event

    return await runtime.idempotency.run(
        scope=f"events:{principal.subject}", key=idempotency_key, body=body, operation=operation
    )


@router.get("", response_model=Page[EventView], responses=errors())
async def list_events(
    principal: CurrentPrincipal,
    stores: StoresDep,
    desks: DesksDep,
    network_id: str | None = Query(None, description="Only this network's events."),
    region_id: str | None = Query(None, description="Only this region's events."),
    status: EventStatus | None = Query(None, description="Only events in this state."),
    starts_after: datetime | None = Query(None, description="Only events starting after this."),
    kind: EventKind | None = Query(None, description="Only events of this kind."),
    municipality_id: str | None = Query(
        None,
        description="Only events this municipality's people may register for: its networks' "
        "events and its region's region-wide events and events open to all.",
    ),
    cursor: str | None = Query(None, description="From the previous page's next_cursor."),
    limit: int = page_limit(),
) -> Page[EventView]:
    """Events by start time, with the seats left. Drafts are listed only for their region's
    coordinators.

    The seats left of a listed event may be a few seconds old (up to 5 s on a list read
    often, up to 30 s on one read seldom; a registration shows at once on the replica that
    took it): a list does not count every seat of every event it shows. One event
    (`GET /events/{event_id}`) has them counted exactly."""
    coordinated = principal.region_id if principal.has(Role.COORDINATOR) else None
    ways = listed_ways(coordinated, network_id=network_id, region_id=region_id, status=status)
    ways = of_kind(ways, kind.value if kind else None)
    if municipality_id:
        ways = open_to(ways, *await stores.municipality_reach(municipality_id))
    docs = await stores.events.timelines[listing_timeline(network_id).name].page(
        ways,
        limit=limit + 1,
        after=decode_cursor(cursor) if cursor else None,
        since=starts_after,
    )
    items = [stores.events.from_current(d) for d in docs[:limit]]
    next_cursor = (
        encode_cursor(docs[limit - 1]["starts_at"], docs[limit - 1]["_id"])
        if len(docs) > limit
        else None
    )
    views = await listed_with_availability(desks, items)
    return Page[EventView](items=views, next_cursor=next_cursor)


@router.get("/{event_id}", response_model=EventView, responses=errors(404))
async def get_event(event_id: str, principal: CurrentPrincipal, stores: StoresDep) -> EventView:
    """One event, with the seats left counted exactly (lists may show them a few seconds
    old)."""
    event = await visible_event(stores, principal, event_id)
    return await exactly_with_availability(stores, event)


@router.put("/{event_id}/details", response_model=Event, responses=errors(403, 404, 409))
async def update_event(
    event_id: str,
    body: EventDetails,
    _: ManagedEvent,
    stores: StoresDep,
    desks: DesksDep,
) -> Event:
    """Change the title, venue, capacity, agenda, questions... (times: see reschedule).

    Raising the capacity gives the new seats to the waiting list."""
    usage = StoredSeatUsage(stores)
    return await event_changes.change_details(stores.events, usage, desks, event_id, body)


@router.post("/{event_id}/reschedule", response_model=Event, responses=errors(403, 404, 409))
async def reschedule_event(
    event_id: str,
    body: NewTimes,
    _: ManagedEvent,
    stores: StoresDep,
    desks: DesksDep,
    settings: SettingsDep,
) -> Event:
    """Move the event; registrations are kept and told (EventRescheduled), and transfer plans'
    conversations move with it (TransferPlanRescheduled)."""
    return await event_changes.reschedule(
        stores.events,
        desks,
        stores.transfer,
        event_id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        timezone=body.timezone,
        message=body.message,
        transfer_after=timedelta(days=settings.transfer_after_days),
    )


@router.post("/{event_id}/publish", response_model=Event, responses=errors(403, 404, 409))
async def publish_event(
    event_id: str, _: ManagedEvent, stores: StoresDep, desks: DesksDep
) -> Event:
    """Publish a draft: it becomes visible and open for registration (EventScheduled)."""
    return await event_changes.publish(stores.events, desks, event_id)


@router.post(
    "/{event_id}/close-registration", response_model=Event, responses=errors(403, 404, 409)
)
async def close_registration(
    event_id: str, _: ManagedEvent, stores: StoresDep, desks: DesksDep
) -> Event:
    """Stop taking registrations (the waiting list still moves up when seats free)."""
    return await event_changes.close_registration(stores.events, desks, event_id)


@router.post(
    "/{event_id}/reopen-registration", response_model=Event, responses=errors(403, 404, 409)
)
async def reopen_registration(
    event_id: str, _: ManagedEvent, stores: StoresDep, desks: DesksDep
) -> Event:
    """Take registrations again after closing."""
    return await event_changes.reopen_registration(stores.events, desks, event_id)


@router.post("/{event_id}/complete", response_model=Event, responses=errors(403, 404, 409))
async def complete_event(
    event_id: str,
    _: ManagedEvent,
    stores: StoresDep,
    desks: DesksDep,
    runtime: RuntimeDep,
) -> Event:
    """Mark the event as held (EventCompleted): evaluation and follow-up can start."""
    return await event_changes.complete(stores.events, desks, event_id, runtime.clock.now())


@router.post("/{event_id}/cancel", response_model=Event, responses=errors(403, 404, 409))
async def cancel_event(
    event_id: str,
    body: Cancellation,
    _: ManagedEvent,
    stores: StoresDep,
    desks: DesksDep,
) -> Event:
    """Cancel the event (EventCancelled); calendars see it cancelled under the same UID."""
    return await event_changes.cancel(stores.events, desks, event_id, body.reason)
