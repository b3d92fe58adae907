"""A municipality's registrations across events: the approval queue (those waiting for its
approval) and every registration of its staff, newest first.

The web app's workspace for municipality administrators reads them; approving and declining
are the routes in :mod:`.approval_decisions`.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, Field
from samling_runtime.auth import CurrentPrincipal, Principal
from samling_runtime.inputs import page_limit
from samling_runtime.pagination import Page
from samling_runtime.problems import Problem

from samling_events.adapters.api.deps import StoresDep, errors
from samling_events.adapters.api.registration_views import RegistrationView, views
from samling_events.adapters.store.stores import Stores
from samling_events.domain.registrations import RegistrationStatus

router = APIRouter(tags=["registrations"])


class RegistrationAtEvent(RegistrationView):
    """A registration with what a list across events shows of its event."""

    event_title: str = Field(examples=["Dialogkonferanse: Lesing"])
    event_starts_at: AwareDatetime
    event_timezone: str = Field(examples=["Europe/Oslo"])


class PendingApproval(RegistrationAtEvent):
    """A registration waiting for the municipality, with what the queue shows of its event."""


R = TypeVar("R", bound=RegistrationAtEvent)


async def _page_across_events(
    stores: Stores,
    model: type[R],
    municipality_id: str,
    status: RegistrationStatus | None,
    cursor: str | None,
    limit: int,
    newest: bool,
) -> Page[R]:
    """One page of the municipality's registrations (in this state), by arrival."""
    page = await stores.registration_queries.across_events(
        municipality_id, status, cursor, limit, newest=newest
    )
    regs = page.items
    events = await stores.event_queries.by_ids(list({r.event_id for r in regs}))
    items = [
        model(
            **view.model_dump(),
            event_title=events[view.event_id].title,
            event_starts_at=events[view.event_id].starts_at,
            event_timezone=events[view.event_id].timezone,
        )
        for view in await views(stores, regs)
        if view.event_id in events  # a registration's event is written before it
    ]
    return Page[model](items=items, next_cursor=page.next_cursor)  # type: ignore[valid-type]


@router.get(
    "/municipalities/{municipality_id}/approvals",
    response_model=Page[PendingApproval],
    responses=errors(403),
    summary="Registrations waiting for the municipality's approval",
)
async def pending_approvals(
    municipality_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    cursor: str | None = Query(None),
    limit: int = page_limit(50, maximum=200),
) -> Page[PendingApproval]:
    """Oldest first, for the municipality's own administrator only (403 for anyone else:
    which municipalities exist is public, whom they approve is not)."""
    if not principal.is_admin_of(municipality_id):
        raise Problem(
            403, "Only the municipality's administrator sees its approvals.", kind="forbidden"
        )
    return await _page_across_events(
        stores,
        PendingApproval,
        municipality_id,
        RegistrationStatus.PENDING_APPROVAL,
        cursor,
        limit,
        newest=False,
    )


async def _may_see_staff(stores: Stores, principal: Principal, municipality_id: str) -> bool:
    if principal.is_admin_of(municipality_id):
        return True
    region = await stores.network_views.region_of(municipality_id)
    return region is not None and principal.is_coordinator_of(region)


@router.get(
    "/municipalities/{municipality_id}/registrations",
    response_model=Page[RegistrationAtEvent],
    responses=errors(400, 403),
    summary="The municipality's staff's registrations across events",
)
async def staff_registrations(
    municipality_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    cursor: str | None = Query(None, description="From the previous page's next_cursor."),
    limit: int = page_limit(50, maximum=200),
) -> Page[RegistrationAtEvent]:
    """Newest first, every status, for the municipality's own administrator and its region's
    coordinators (403 for anyone else: who registers is personal data)."""
    if not await _may_see_staff(stores, principal, municipality_id):
        raise Problem(
            403,
            "Only the municipality's administrator or its region's coordinators see its "
            "registrations.",
            kind="forbidden",
        )
    return await _page_across_events(
        stores, RegistrationAtEvent, municipality_id, None, cursor, limit, newest=True
    )
