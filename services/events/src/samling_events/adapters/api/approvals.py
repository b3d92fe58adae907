"""A municipality's approval queue: the registrations waiting for its approval, across events.

The web app's workspace for municipality administrators reads it; approving and declining are
the routes in :mod:`.approval_decisions`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, Field
from samling_runtime.auth import CurrentPrincipal
from samling_runtime.inputs import page_limit
from samling_runtime.mongo import find_by_ids
from samling_runtime.pagination import Page, after_cursor, encode_cursor
from samling_runtime.problems import Problem

from samling_events.adapters.api.deps import StoresDep, errors
from samling_events.adapters.api.registrations import RegistrationView, views
from samling_events.domain.registrations import RegistrationStatus

router = APIRouter(tags=["registrations"])


class PendingApproval(RegistrationView):
    """A registration waiting for the municipality, with what the queue shows of its event."""

    event_title: str = Field(examples=["Dialogkonferanse: Lesing"])
    event_starts_at: AwareDatetime
    event_timezone: str = Field(examples=["Europe/Oslo"])


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
    query: dict[str, Any] = {
        "municipality_id": municipality_id,
        "status": RegistrationStatus.PENDING_APPROVAL.value,
    }
    after = after_cursor("arrived_at", cursor)
    docs = await stores.registrations.current.find(
        {"$and": [query, after]} if after else query,
        sort=[("arrived_at", 1), ("_id", 1)],
        limit=limit + 1,
    ).to_list()
    regs = [stores.registrations.from_current(d) for d in docs[:limit]]
    found = await find_by_ids(stores.events.current, list({r.event_id for r in regs}))
    events = {id_: stores.events.from_current(doc) for id_, doc in found.items()}
    items = [
        PendingApproval(
            **view.model_dump(),
            event_title=events[view.event_id].title,
            event_starts_at=events[view.event_id].starts_at,
            event_timezone=events[view.event_id].timezone,
        )
        for view in await views(stores, regs)
        if view.event_id in events  # a registration's event is written before it
    ]
    last = docs[limit - 1] if len(docs) > limit else None
    next_cursor = encode_cursor(last["arrived_at"], last["_id"]) if last else None
    return Page[PendingApproval](items=items, next_cursor=next_cursor)
