"""HTTP routes around the gathering itself: templates, series, conflicts, assignments, groups,
approval, check-in, evaluation."""

from __future__ import annotations

import contextlib
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from dateutil.rrule import rrulestr
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field, model_validator
from samling_contracts.vocabulary import AssignmentPhase, EventKind
from samling_runtime.auth import CurrentPrincipal
from samling_runtime.decisions import Change
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.ids import new_id
from samling_runtime.inputs import MultiLine, RequestBody, SingleLine
from samling_runtime.problems import Problem, not_found
from samling_runtime.store import AlreadyExists

from samling_events.adapters.api.deps import (
    Coordinator,
    DesksDep,
    LinkedRegistration,
    ManagedEvent,
    RuntimeDep,
    StoresDep,
    errors,
    managed_event,
    visible_event,
)
from samling_events.adapters.api.events import NewEvent, check_network, seat_usage
from samling_events.adapters.store.stores import Stores
from samling_events.domain import conference
from samling_events.domain import registrations as regs
from samling_events.domain.conference import Assignment, Groups, Template
from samling_events.domain.events import (
    Event,
    EventDetails,
    EventStatus,
    TimeZoneName,
    draft_event,
    update_details,
)
from samling_events.domain.registrations import Registration

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


class NewAssignment(RequestBody):
    phase: AssignmentPhase = Field(examples=["pre"])
    title: SingleLine = Field(
        min_length=1, max_length=300, examples=["Forbered et praksiseksempel"]
    )
    description: MultiLine = Field("", max_length=5000)
    due_at: AwareDatetime = Field(examples=["2027-02-03T16:00:00+01:00"])


class AssignmentProgress(BaseModel):
    assignment: Assignment
    completed_by: list[str] = Field(description="Registration ids that completed it.")


class MyAssignment(BaseModel):
    assignment: Assignment
    done: bool


class MyFollowUp(BaseModel):
    """What the private link shows of the work around one registration's event."""

    assignments: list[MyAssignment] = Field(description="Pre-work and follow-up, by due time.")
    group: int | None = Field(
        description="The part-3 group I am in (from 0); null before groups are made or if I am "
        "in none."
    )
    evaluated: bool = Field(description="Whether I have sent the evaluation.")


class NewSeries(NewEvent):
    """Recurring network meetings: the first occurrence's times and an RFC 5545 RRULE."""

    rrule: SingleLine = Field(
        max_length=500,
        examples=["FREQ=MONTHLY;BYDAY=2TU;COUNT=6"],
        description="RRULE (RFC 5545) from the first start; at most 52 occurrences.",
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


class GroupSize(RequestBody):
    size: int = Field(ge=2, le=50, examples=[6])


class Move(RequestBody):
    registration_id: SingleLine
    group: int = Field(ge=0, description="Group number, from 0.")


class Attendance(RequestBody):
    attended: bool = Field(examples=[True])


class Evaluation(RequestBody):
    """The short evaluation after the event (the E of SMTTE)."""

    rating: int = Field(ge=1, le=5, examples=[4], description="1 (poor) to 5 (excellent).")
    useful_for_practice: bool | None = Field(None, examples=[True])
    comment: MultiLine = Field("", max_length=3000, examples=["Nyttig gruppearbeid."])


class EvaluationSummary(BaseModel):
    event_id: str
    responses: int
    average_rating: float | None
    useful_share: float | None
    comments: list[str]


# -- templates and series ----------------------------------------------------------------------
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
    region_id = principal.region_id or ""
    await check_network(stores, region_id, body.network_id)

    async def operation() -> tuple[int, CreatedFromTemplate]:
        plan = conference.plan_template(body.template, body.starts_at)
        details = EventDetails(
            title=body.title,
            venue=body.venue,
            online_url=body.online_url,
            capacity=body.capacity,
            agenda=plan.agenda,
        )
        change = draft_event(
            new_id("evt"),
            region_id=region_id,
            network_id=body.network_id,
            kind=EventKind.DIALOGUE_CONFERENCE,
            starts_at=body.starts_at,
            ends_at=plan.ends_at,
            timezone=body.timezone,
            details=details,
            created_by=principal.subject,
        )
        event = (await stores.events.create(change.state.id, change)).state
        made = []
        for planned in plan.assignments:
            a = conference.assign(
                new_id("asg"), event.id, planned.phase, planned.title, "", planned.due_at
            )
            made.append((await stores.assignments.create(a.state.id, a)).state)
        return 201, CreatedFromTemplate(event=event, assignments=made)

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
    region_id = principal.region_id or ""
    await check_network(stores, region_id, body.network_id)
    try:
        starts = list(rrulestr(body.rrule, dtstart=body.starts_at)[:53])
    except (ValueError, TypeError) as exc:
        raise Problem(422, f"The RRULE is not valid: {exc}.", kind="validation") from exc
    if not starts or len(starts) > 52:
        raise Problem(
            422, "A series has 1 to 52 occurrences; add COUNT or UNTIL.", kind="validation"
        )
    length = body.ends_at - body.starts_at
    details = EventDetails.model_validate(body.model_dump(include=set(EventDetails.model_fields)))

    async def operation() -> tuple[int, Series]:
        series_id = new_id("ser")
        items = []
        for start in starts:
            change = draft_event(
                new_id("evt"),
                region_id=region_id,
                network_id=body.network_id,
                kind=body.kind,
                starts_at=start,
                ends_at=start + length,
                timezone=body.timezone,
                details=details,
                created_by=principal.subject,
                series_id=series_id,
            )
            items.append((change.state.id, change))
        await stores.events.create_many(items)
        return 201, Series(series_id=series_id, events=[c.state for _, c in items])

    return await runtime.idempotency.run(
        scope=f"series:{principal.subject}", key=idempotency_key, body=body, operation=operation
    )


async def _managed_series(
    series_id: str, principal: CurrentPrincipal, stores: StoresDep, runtime: RuntimeDep
) -> list[Event]:
    docs = await stores.events.current.find(
        {"series_id": series_id, "starts_at": {"$gt": runtime.clock.now()}}
    ).to_list()
    events = [stores.events.from_current(d) for d in docs]
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
) -> Series:
    """Applies to the occurrences that have not started and are not cancelled."""
    changed = []
    for event in sorted(events, key=lambda e: e.starts_at):
        if event.status == EventStatus.CANCELLED:
            continue
        highest, has_regs = await seat_usage(stores, event.id)
        result = await stores.events.update(
            event.id,
            partial(
                update_details,
                details=body,
                highest_taken_seat=highest,
                has_registrations=has_regs,
            ),
        )
        changed.append(result.state)
    return Series(series_id=series_id, events=changed)


@router.get(
    "/events/{event_id}/conflicts",
    response_model=list[Conflict],
    responses=errors(403, 404),
    tags=["events"],
    summary="Overlapping events",
)
async def conflicts(
    event_id: str, principal: CurrentPrincipal, stores: StoresDep
) -> list[Conflict]:
    """Warnings, not refusals: events of the same network that overlap this one, and other
    events at the same venue at the same time."""
    event = await managed_event(stores, principal, event_id)
    ors: list[dict[str, Any]] = []
    if event.network_id:
        ors.append({"network_id": event.network_id})
    if event.venue:
        ors.append({"venue": event.venue})
    if not ors:
        return []
    docs = await stores.events.current.find(
        {
            "_id": {"$ne": event.id},
            "status": {"$ne": EventStatus.CANCELLED.value},
            "starts_at": {"$lt": event.ends_at},
            "ends_at": {"$gt": event.starts_at},
            "$or": ors,
        }
    ).to_list()
    found = []
    for doc in docs:
        other = stores.events.from_current(doc)
        reasons = []
        if event.network_id and other.network_id == event.network_id:
            reasons.append("same network")
        if (
            event.venue
            and other.venue
            and other.venue.strip().lower() == event.venue.strip().lower()
        ):
            reasons.append("same venue")
        if reasons:
            found.append(
                Conflict(
                    event_id=other.id,
                    title=other.title,
                    starts_at=other.starts_at,
                    ends_at=other.ends_at,
                    reason=" and ".join(reasons),
                )
            )
    return found


# -- assignments -------------------------------------------------------------------------------
@router.post(
    "/events/{event_id}/assignments",
    status_code=201,
    response_model=Assignment,
    responses=errors(403, 404),
    summary="Assign pre-work or follow-up work",
)
async def create_assignment(
    event_id: str,
    body: NewAssignment,
    _: ManagedEvent,
    stores: StoresDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Every participating unit gets it (AssignmentAssigned); AssignmentDue follows at the due time."""

    async def operation() -> tuple[int, Assignment]:
        change = conference.assign(
            new_id("asg"), event_id, body.phase, body.title, body.description, body.due_at
        )
        return 201, (await stores.assignments.create(change.state.id, change)).state

    return await runtime.idempotency.run(
        scope=f"assignments:{event_id}", key=idempotency_key, body=body, operation=operation
    )


async def _progress(stores: Stores, event_id: str) -> list[AssignmentProgress]:
    docs = await stores.assignments.current.find(
        {"event_id": event_id}, sort=[("due_at", 1)]
    ).to_list()
    result = []
    for doc in docs:
        a = stores.assignments.from_current(doc)
        done = await stores.completions.find({"assignment_id": a.id}).to_list()
        result.append(
            AssignmentProgress(
                assignment=a, completed_by=sorted(d["registration_id"] for d in done)
            )
        )
    return result


@router.get(
    "/events/{event_id}/assignments",
    response_model=list[AssignmentProgress],
    responses=errors(403, 404),
    summary="Assignments and who completed them",
)
async def list_assignments(
    event_id: str, principal: CurrentPrincipal, stores: StoresDep
) -> list[AssignmentProgress]:
    await managed_event(stores, principal, event_id)
    return await _progress(stores, event_id)


@router.get(
    "/events/{event_id}/prework",
    response_model=list[Assignment],
    responses=errors(404),
    summary="The event's pre-work, for whoever may see the event",
)
async def list_prework(
    event_id: str, principal: CurrentPrincipal, stores: StoresDep
) -> list[Assignment]:
    """What participants are asked to do before the event, without who has done it: the event
    page shows it to anyone who may read the event (drafts stay their organisers')."""
    await visible_event(stores, principal, event_id)
    docs = await stores.assignments.current.find(
        {"event_id": event_id, "phase": AssignmentPhase.PRE.value}, sort=[("due_at", 1)]
    ).to_list()
    return [stores.assignments.from_current(doc) for doc in docs]


async def complete_assignment(
    stores: Stores, assignment_id: str, reg: Registration, now: datetime
) -> None:
    a = await stores.assignments.get(assignment_id)
    if a is None or a.state.event_id != reg.event_id:
        raise not_found("Assignment")
    await stores.completions.replace_one(
        {"_id": f"{assignment_id}:{reg.id}"},
        {"assignment_id": assignment_id, "registration_id": reg.id, "completed_at": now},
        upsert=True,
    )


@router.post(
    "/events/{event_id}/assignments/{assignment_id}/completions/{registration_id}",
    status_code=204,
    responses=errors(403, 404),
    summary="Mark an assignment done for a participant",
)
async def mark_completed(
    event_id: str,
    assignment_id: str,
    registration_id: str,
    _: ManagedEvent,
    stores: StoresDep,
    runtime: RuntimeDep,
) -> None:
    found = await stores.registrations.get(registration_id)
    if found is None or found.state.event_id != event_id:
        raise not_found("Registration")
    await complete_assignment(stores, assignment_id, found.state, runtime.clock.now())


@router.post(
    "/manage/{token}/registrations/{registration_id}/assignments/{assignment_id}/done",
    status_code=204,
    responses=errors(404),
    tags=["self-service"],
    summary="Mark my assignment done (private link)",
)
async def mark_my_assignment(
    token: str,
    registration_id: str,
    assignment_id: str,
    reg: LinkedRegistration,
    stores: StoresDep,
    runtime: RuntimeDep,
) -> None:
    await complete_assignment(stores, assignment_id, reg, runtime.clock.now())


@router.get(
    "/manage/{token}/registrations/{registration_id}/followup",
    response_model=MyFollowUp,
    responses=errors(404),
    tags=["self-service"],
    summary="My assignments, group and evaluation (private link)",
)
async def my_followup(
    token: str, registration_id: str, reg: LinkedRegistration, stores: StoresDep
) -> MyFollowUp:
    """Only the holder's own completions and group: the link shows nobody else's."""
    progress = await stores.assignments.current.find(
        {"event_id": reg.event_id}, sort=[("due_at", 1)]
    ).to_list()
    assignments = [stores.assignments.from_current(d) for d in progress]
    # One equality on _id per assignment (an event has a few): FerretDB v1 would read the
    # whole collection for an $in.
    done = {
        a.id
        for a in assignments
        if await stores.completions.find_one({"_id": f"{a.id}:{reg.id}"}, {"_id": 1})
    }
    groups = await stores.groups.get(reg.event_id)
    mine = [g.number for g in groups.state.groups if reg.id in g.registration_ids] if groups else []
    evaluated = await stores.evaluations.find_one({"_id": f"{reg.event_id}:{reg.id}"}, {"_id": 1})
    return MyFollowUp(
        assignments=[MyAssignment(assignment=a, done=a.id in done) for a in assignments],
        group=mine[0] if mine else None,
        evaluated=evaluated is not None,
    )


# -- groups ------------------------------------------------------------------------------------
@router.post(
    "/events/{event_id}/groups",
    response_model=Groups,
    responses=errors(403, 404),
    summary="Allocate groups across municipalities",
)
async def allocate(event_id: str, body: GroupSize, _: ManagedEvent, stores: StoresDep) -> Groups:
    """Split confirmed participants into groups of about this size, each mixing as many
    municipalities as possible. The same people always give the same groups; reallocating
    replaces earlier moves."""
    docs = await stores.registrations.current.find(
        {"event_id": event_id, "status": "confirmed"}
    ).to_list()
    groups = conference.allocate_groups(
        event_id, [stores.registrations.from_current(d) for d in docs], body.size
    )
    if await stores.groups.get(event_id) is None:
        with contextlib.suppress(AlreadyExists):  # else made concurrently: update it below
            return (await stores.groups.create(event_id, Change(groups))).state
    return (await stores.groups.update(event_id, lambda _: Change(groups))).state


@router.get(
    "/events/{event_id}/groups", response_model=Groups, responses=errors(403, 404), summary="Groups"
)
async def get_groups(event_id: str, principal: CurrentPrincipal, stores: StoresDep) -> Groups:
    await managed_event(stores, principal, event_id)
    found = await stores.groups.get(event_id)
    if found is None:
        raise not_found("Groups")
    return found.state


@router.post(
    "/events/{event_id}/groups/moves",
    response_model=Groups,
    responses=errors(403, 404),
    summary="Move a person to another group",
)
async def move(event_id: str, body: Move, _: ManagedEvent, stores: StoresDep) -> Groups:
    if await stores.groups.get(event_id) is None:
        raise not_found("Groups")
    return (
        await stores.groups.update(
            event_id,
            lambda g: conference.move_to_group(g, body.registration_id, body.group),
        )
    ).state


# -- approval and attendance -------------------------------------------------------------------
class Decision(RequestBody):
    """The municipality's approval or refusal, with a note for the participant."""

    note: MultiLine | None = Field(
        None, max_length=1000, examples=["Avklart med rektor: velkommen!"]
    )


async def _registration(stores: Stores, event_id: str, registration_id: str) -> Registration:
    found = await stores.registrations.get(registration_id)
    if found is None or found.state.event_id != event_id:
        raise not_found("Registration")
    return found.state


@router.post(
    "/events/{event_id}/registrations/{registration_id}/approve",
    response_model=Registration,
    responses=errors(403, 404, 409),
    tags=["registrations"],
    summary="Approve (the participant's municipality)",
)
async def approve(
    event_id: str,
    registration_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    body: Decision | None = None,
) -> Registration:
    await visible_event(stores, principal, event_id)
    reg = await _registration(stores, event_id, registration_id)
    if not principal.is_admin_of(reg.municipality_id):
        raise not_found("Registration")
    note = body.note if body else None
    return (await stores.registrations.update(reg.id, partial(regs.approve, note=note))).state


@router.post(
    "/events/{event_id}/registrations/{registration_id}/decline",
    response_model=Registration,
    responses=errors(403, 404, 409),
    tags=["registrations"],
    summary="Decline (the participant's municipality)",
)
async def decline(
    event_id: str,
    registration_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    desks: DesksDep,
    body: Decision | None = None,
) -> Registration:
    """The seat goes to the next on the waiting list; the participant is told (RegistrationDeclined)."""
    await visible_event(stores, principal, event_id)
    reg = await _registration(stores, event_id, registration_id)
    if not principal.is_admin_of(reg.municipality_id):
        raise not_found("Registration")
    note = body.note if body else None
    result = await stores.registrations.update(reg.id, partial(regs.decline, note=note))
    await desks.release(event_id, [reg.id])
    return result.state


@router.post(
    "/events/{event_id}/registrations/{registration_id}/attendance",
    response_model=Registration,
    responses=errors(403, 404, 409),
    tags=["registrations"],
    summary="Check in (attendance)",
)
async def attendance(
    event_id: str,
    registration_id: str,
    body: Attendance,
    event: ManagedEvent,
    stores: StoresDep,
    runtime: RuntimeDep,
) -> Registration:
    reg = await _registration(stores, event_id, registration_id)
    now = runtime.clock.now()
    return (
        await stores.registrations.update(
            reg.id, lambda r: conference.record_attendance(r, event, body.attended, now)
        )
    ).state


# -- evaluation --------------------------------------------------------------------------------
@router.put(
    "/manage/{token}/registrations/{registration_id}/evaluation",
    status_code=204,
    responses=errors(404, 409),
    tags=["self-service"],
    summary="Evaluate the event (private link)",
)
async def evaluate(
    token: str,
    registration_id: str,
    body: Evaluation,
    reg: LinkedRegistration,
    stores: StoresDep,
    runtime: RuntimeDep,
) -> None:
    """After the event has started; sending again replaces the earlier answer."""
    event = await stores.events.require(reg.event_id)
    if runtime.clock.now() < event.state.starts_at:
        raise Problem(409, "The evaluation opens when the event has started.", kind="conflict")
    await stores.evaluations.replace_one(
        {"_id": f"{event.id}:{registration_id}"},
        {"event_id": event.id, **body.model_dump(), "at": runtime.clock.now()},
        upsert=True,
    )


@router.get(
    "/events/{event_id}/evaluations",
    response_model=EvaluationSummary,
    responses=errors(403, 404),
    summary="Evaluation summary",
)
async def evaluations(
    event_id: str, principal: CurrentPrincipal, stores: StoresDep
) -> EvaluationSummary:
    await managed_event(stores, principal, event_id)
    docs = await stores.evaluations.find({"event_id": event_id}).to_list()
    ratings = [d["rating"] for d in docs]
    useful = [d["useful_for_practice"] for d in docs if d.get("useful_for_practice") is not None]
    return EvaluationSummary(
        event_id=event_id,
        responses=len(docs),
        average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
        useful_share=round(sum(useful) / len(useful), 2) if useful else None,
        comments=[d["comment"] for d in docs if d.get("comment")],
    )
