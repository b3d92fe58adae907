"""Group allocation for a dialogue conference's part 3: allocate, read, move one person."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field
from samling_runtime.auth import CurrentPrincipal
from samling_runtime.inputs import RequestBody, SingleLine
from samling_runtime.problems import not_found

from samling_events.adapters.api.deps import (
    ManagedEvent,
    StoresDep,
    errors,
    managed_event,
)
from samling_events.domain import conference
from samling_events.domain.conference import Groups
from samling_events.use_cases import follow_up

router = APIRouter(tags=["follow-up"])


class GroupSize(RequestBody):
    size: int = Field(ge=2, le=50, examples=[6])


class Move(RequestBody):
    registration_id: SingleLine
    group: int = Field(ge=0, description="Group number, from 0.")


@router.post(
    "/events/{event_id}/groups",
    response_model=Groups,
    responses=errors(403, 404),
    summary="Allocate groups across municipalities",
)
async def allocate(event_id: str, body: GroupSize, _: ManagedEvent, stores: StoresDep) -> Groups:
    """Split confirmed participants into groups of about this size, each mixing as many
    municipalities as possible. The same people always give the same groups; allocating
    again (say, after more registered) keeps the people moved by hand in the groups they
    were moved to, while those groups exist."""
    return await follow_up.allocate_groups(
        stores.groups, stores.registration_queries, event_id, body.size
    )


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
