"""Pre-work and follow-up assignments: the coordinator sets them, the participant marks them
done from the private link, and sees what is theirs."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field
from samling_contracts.vocabulary import AssignmentPhase
from samling_kernel.ids import new_id
from samling_runtime.auth import CurrentPrincipal
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.inputs import MultiLine, RequestBody, SingleLine

from samling_events.adapters.api.deps import (
    LinkedRegistration,
    ManagedEvent,
    RuntimeDep,
    StoresDep,
    errors,
    managed_event,
    registration_at,
    visible_event,
)
from samling_events.adapters.store.stores import Stores
from samling_events.domain import conference
from samling_events.domain.conference import Assignment
from samling_events.use_cases import follow_up

router = APIRouter(tags=["follow-up"])


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
    records = stores.follow_up
    return [
        AssignmentProgress(assignment=a, completed_by=await records.completed_by(a.id))
        for a in await records.assignments_of(event_id)
    ]


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
    return await stores.follow_up.prework_of(event_id)


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
    reg = await registration_at(stores, event_id, registration_id)
    await follow_up.complete_assignment(
        stores.assignments, stores.follow_up, assignment_id, reg, runtime.clock.now()
    )


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
    await follow_up.complete_assignment(
        stores.assignments, stores.follow_up, assignment_id, reg, runtime.clock.now()
    )


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
    records = stores.follow_up
    assignments = await records.assignments_of(reg.event_id)
    # One look-up per assignment (an event has a few).
    done = {a.id for a in assignments if await records.has_completed(a.id, reg.id)}
    groups = await stores.groups.get(reg.event_id)
    return MyFollowUp(
        assignments=[MyAssignment(assignment=a, done=a.id in done) for a in assignments],
        group=groups.state.group_of(reg.id) if groups else None,
        evaluated=await records.has_evaluated(reg.event_id, reg.id),
    )
