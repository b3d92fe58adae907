"""The in-app inbox: list, unread count, mark read or unread — per person, paginated."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from samling_runtime.auth import CurrentPrincipal
from samling_runtime.inputs import page_limit
from samling_runtime.pagination import Page, encode_cursor
from samling_runtime.problems import not_found

from samling_notifications.adapters.api.deps import RuntimeDep, StoresDep, errors, recipient_ids
from samling_notifications.adapters.email.compose import template_context
from samling_notifications.adapters.email.render import resolved_language, summary
from samling_notifications.adapters.store.notices import preferences_of, with_event
from samling_notifications.adapters.store.stores import Stores

router = APIRouter(prefix="/inbox", tags=["inbox"])


class InboxEntry(BaseModel):
    id: str = Field(examples=["ntf_5c1e0d9a7b3f2e4d6a8c0b1e"])
    kind: str = Field(examples=["registration.confirmed"])
    title: str = Field(examples=["Påmelding bekreftet: Dialogkonferanse"])
    body: str = Field(examples=["Du har fått plass på «Dialogkonferanse»."])
    created_at: datetime
    read: bool = Field(description="Whether the person has marked it read.")
    refs: dict[str, str] = Field(
        default_factory=dict,
        description="Ids of what it is about.",
        examples=[{"event_id": "evt_1"}],
    )


class UnreadCount(BaseModel):
    unread: int = Field(examples=[3])


class ReadState(BaseModel):
    id: str
    read: bool


async def _entries(stores: Stores, docs: list[dict[str, Any]], ids: list[str]) -> list[InboxEntry]:
    # The caller's read states by recipient, not one look-up per entry.
    reads = await stores.inbox.read_states(ids)
    prefs = await preferences_of(stores, ids)
    people = await stores.people.by_ids(ids)
    event_ids = [d["refs"]["event_id"] for d in docs if d["refs"].get("event_id")]
    events = await stores.events_by_ids(event_ids)
    entries = []
    for doc in docs:
        doc = with_event(doc, events.get(doc["refs"].get("event_id")))
        person = people.get(doc["recipient_id"])
        chosen = prefs.get(doc["recipient_id"])
        language = resolved_language(
            (chosen.language if chosen else None) or (person or {}).get("language") or "nb"
        )
        context = template_context(doc, recipient=person, language=language, links={})
        context.update(
            evaluation_url="", report_url="", items=doc.get("params", {}).get("item_ids", [])
        )
        title, body = summary(
            doc["kind"], language, {k: v if v is not None else "" for k, v in context.items()}
        )
        entries.append(
            InboxEntry(
                id=doc["_id"],
                kind=doc["kind"],
                title=title,
                body=body,
                created_at=doc["created_at"],
                read=reads.get(doc["_id"], False),
                refs=doc["refs"],
            )
        )
    return entries


@router.get("", response_model=Page[InboxEntry], responses=errors(400))
async def list_inbox(
    principal: CurrentPrincipal,
    stores: StoresDep,
    cursor: str | None = None,
    limit: int = page_limit(20, maximum=100),
    unread_only: bool = False,
) -> Page[InboxEntry]:
    """The caller's notices, newest first, in their language."""
    ids = await recipient_ids(stores, principal)
    docs = await stores.inbox.newest(ids, cursor, limit, unread_only=unread_only)
    more = len(docs) > limit
    docs = docs[:limit]
    items = await _entries(stores, docs, ids)
    next_cursor = encode_cursor(docs[-1]["created_at"], docs[-1]["_id"]) if more else None
    return Page[InboxEntry](items=items, next_cursor=next_cursor)


@router.get("/unread-count", response_model=UnreadCount, responses=errors())
async def unread_count(principal: CurrentPrincipal, stores: StoresDep) -> UnreadCount:
    """How many of the caller's notices are unread."""
    ids = await recipient_ids(stores, principal)
    return UnreadCount(unread=await stores.inbox.unread_count(ids))


async def _set_read(
    stores: Stores,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    notification_id: str,
    read: bool,
) -> ReadState:
    ids = await recipient_ids(stores, principal)
    doc = await stores.inbox.notice(notification_id)
    if doc is None or doc["recipient_id"] not in ids:
        raise not_found("Notification")
    await stores.inbox.mark(doc, read, runtime.clock.now())
    return ReadState(id=notification_id, read=read)


@router.put("/{notification_id}/read", response_model=ReadState, responses=errors(404))
async def mark_read(
    notification_id: str, principal: CurrentPrincipal, stores: StoresDep, runtime: RuntimeDep
) -> ReadState:
    """Mark one notice read (repeating it changes nothing)."""
    return await _set_read(stores, runtime, principal, notification_id, True)


@router.delete("/{notification_id}/read", response_model=ReadState, responses=errors(404))
async def mark_unread(
    notification_id: str, principal: CurrentPrincipal, stores: StoresDep, runtime: RuntimeDep
) -> ReadState:
    """Mark one notice unread again."""
    return await _set_read(stores, runtime, principal, notification_id, False)
