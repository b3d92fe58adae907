"""Planning routes: an event or a dialogue conference from a template, a recurring series
(RRULE) changed as a whole, and conflict warnings (same network, same venue)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field, model_validator
from samling_runtime.auth import CurrentPrincipal
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.inputs import RequestBody, SingleLine
from samling_runtime.problems import not_found

from samling_events.adapters.api.deps import (
    Coordinator,
    DesksDep,
    RuntimeDep,
    StoresDep,
    errors,
    managed_event,
)
from samling_events.adapters.api.events import NewEvent, details_of, planner
from samling_events.adapters.store.seat_usage import StoredSeatUsage
from samling_events.domain.conference import Assignment, Template
from samling_events.domain.events import Event, EventDetails, TimeZoneName
from samling_events.domain.planning import MAX_OCCURRENCES, proposed, series_starts
from samling_events.use_cases import event_planning

router = APIRouter(tags=["follow-up"])


class FromTemplate(RequestBody):
    """A dialogue conference from one of its three shapes (seed 002)."""

    template: Template = Field(examples=["short_afternoon"])
    network_id: SingleLine | None = Field(None, examples=["net_01"])
    title: SingleLine = Field(min_length=2, max_length=300, examples=["Dialogkonferanse: Lesing"])
    starts_at: AwareDatetime = Field(examples=["2027-02-10T12:00:00+01:00"])
    timezone: TimeZoneName = Field("Europe/Oslo", examples=["Europe/Oslo"])
    venue: SingleLine | None = Field(None, max_length=500, examples=["Bodø rådhus"])
    online_url: SingleLine | None = Field(None, max_length=1000)
    capacity: int = Field(ge=1, le=100_000, examples=[60])

    @model_validator(mode="after")
    def _somewhere(self) -> FromTemplate:
        if not (self.venue or self.online_url):
            raise ValueError("An event needs a venue or an online link.")
        return self


class CreatedFromTemplate(BaseModel):
    event: Event
    assignments: list[Assignment]


class NewSeries(NewEvent):
    """Recurring network meetings: the first occurrence's times and an RFC 5545 RRULE."""

    rrule: SingleLine = Field(
        max_length=500,
        examples=["FREQ=MONTHLY;BYDAY=2TU;COUNT=6"],
        description=f"RRULE (RFC 5545) from the first start; at most {MAX_OCCURRENCES} "
        "occurrences.",
    )


class Series(BaseModel):
    series_id: str
    events: list[Event]


class SeriesChange(EventDetails):
    """New details for every not yet held occurrence of the series."""


class Conflict(BaseModel):
    event_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    reason: str = Field(examples=["same network", "same venue"])


@router.post(
    "/events/from-template",
    status_code=201,
    response_model=CreatedFromTemplate,
    responses=errors(403, 404),
    tags=["events"],
    summary="Plan a dialogue conference from a template",
)
async def from_template(
    body: FromTemplate,
    principal: Coordinator,
    stores: StoresDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """One day (all four parts in 5 to 6 hours), two days, or a short afternoon where parts 1 and 4
    become pre-work and follow-up work. The result is a draft the coordinator can edit."""
    by = await planner(stores, principal, body.network_id)
    details = EventDetails(
        title=body.title,
        venue=body.venue,
        online_url=body.online_url,
        capacity=body.capacity,
    )

    async def operation() -> tuple[int, CreatedFromTemplate]:
        event, assignments = await event_planning.plan_conference(
            stores.events,
            stores.assignments,
            by,
            body.template,
            body.starts_at,
            body.timezone,
            details,
        )
        return 201, CreatedFromTemplate(event=event, assignments=assignments)

    return await runtime.idempotency.run(
        scope=f"events:{principal.subject}", key=idempotency_key, body=body, operation=operation
    )


@router.post(
    "/series",
    status_code=201,
    response_model=Series,
    responses=errors(403, 404),
    tags=["events"],
    summary="Plan recurring meetings",
)
async def create_series(
    body: NewSeries,
    principal: Coordinator,
    stores: StoresDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """One draft per occurrence of the RRULE; change one occurrence through its event, or all
    future ones through the series."""
    by = await planner(stores, principal, body.network_id)
    starts = series_starts(body.rrule, body.starts_at, body.timezone)

    async def operation() -> tuple[int, Series]:
        series = await event_planning.plan_series(
            stores.events,
            by,
            body.kind,
            starts,
            body.ends_at - body.starts_at,
            body.timezone,
            details_of(body),
        )
        return 201, Series(series_id=series.series_id, events=series.events)

    return await runtime.idempotency.run(
        scope=f"series:{principal.subject}", key=idempotency_key, body=body, operation=operation
    )


@router.get(
    "/series/{series_id}",
    response_model=Series,
    responses=errors(404),
    tags=["events"],
    summary="A series' occurrences",
)
async def get_series(series_id: str, principal: CurrentPrincipal, stores: StoresDep) -> Series:
    """Every occurrence, held or not, cancelled or not, by start; for the coordinators of its
    region (a series of drafts exists for nobody else: 404)."""
    events = await stores.event_queries.of_series(series_id)
    if not events or not principal.is_coordinator_of(events[0].region_id):
        raise not_found("Series")
    return Series(series_id=series_id, events=events)


async def _managed_series(
    series_id: str, principal: CurrentPrincipal, stores: StoresDep, runtime: RuntimeDep
) -> list[Event]:
    events = await stores.event_queries.of_series_after(series_id, runtime.clock.now())
    if not events or not principal.is_coordinator_of(events[0].region_id):
        raise not_found("Series")
    return events


ManagedSeries = Annotated[list[Event], Depends(_managed_series)]
"""The series' occurrences still to come, when the caller coordinates its region (else 404)."""


@router.put(
    "/series/{series_id}/details",
    response_model=Series,
    responses=errors(403, 404, 409),
    tags=["events"],
    summary="Change every future occurrence",
)
async def change_series(
    series_id: str,
    body: SeriesChange,
    events: ManagedSeries,
    stores: StoresDep,
    desks: DesksDep,
) -> Series:
    """Applies to the occurrences that have not started and are not cancelled."""
    usage = StoredSeatUsage(stores)
    changed = await event_planning.change_series(stores.events, usage, desks, events, body)
    return Series(series_id=series_id, events=changed)


@router.get(
    "/events/{event_id}/conflicts",
    response_model=list[Conflict],
    responses=errors(403, 404),
    tags=["events"],
    summary="Overlapping events",
)
async def conflicts(
    event_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    starts_at: Annotated[
        AwareDatetime | None, Query(description="Check this start instead (while planning).")
    ] = None,
    ends_at: Annotated[
        AwareDatetime | None, Query(description="Check this end instead (while planning).")
    ] = None,
    venue: Annotated[
        str | None, Query(max_length=500, description="Check this venue instead.")
    ] = None,
) -> list[Conflict]:
    """Warnings, not refusals: events of the same network that overlap this one, and other
    events at the same venue at the same time. The times and venue being typed on a planning
    page can be checked before they are saved."""
    saved = await managed_event(stores, principal, event_id)
    event = proposed(saved, starts_at=starts_at, ends_at=ends_at, venue=venue)
    return [
        Conflict(
            event_id=other.id,
            title=other.title,
            starts_at=other.starts_at,
            ends_at=other.ends_at,
            reason=reason,
        )
        for other, reason in await event_planning.conflicts(stores.event_queries, event)
    ]
