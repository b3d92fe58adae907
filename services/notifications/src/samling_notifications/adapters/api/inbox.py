"""The in-app inbox: list, unread count, mark read or unread — per person, paginated."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from samling_contracts.vocabulary import Channel
from samling_runtime.auth import CurrentPrincipal
from samling_runtime.inputs import page_limit
from samling_runtime.mongo import count_each, find_by_ids, find_each
from samling_runtime.pagination import Page, after_cursor, encode_cursor
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


def _mine(ids: list[str]) -> list[dict[str, Any]]:
    """One query per recipient id: an equality the index answers (``$in`` is not pushed down)."""
    return [
        {"recipient_id": i, "channel": str(Channel.INBOX), "erased": {"$ne": True}} for i in ids
    ]


def _read_by(ids: list[str]) -> list[dict[str, Any]]:
    return [{"recipient_id": i, "read": True} for i in ids]


async def _entries(stores: Stores, docs: list[dict[str, Any]], ids: list[str]) -> list[InboxEntry]:
    # The caller's read states by recipient (one indexed query each), not one look-up per entry.
    mine = await find_each(stores.inbox_reads, [{"recipient_id": i} for i in ids])
    reads = {d["_id"]: d["read"] for d in mine}
    prefs = await preferences_of(stores, ids)
    people = await find_by_ids(stores.recipients, ids)
    event_ids = [d["refs"]["event_id"] for d in docs if d["refs"].get("event_id")]
    events = await find_by_ids(stores.events, event_ids)
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
    later = after_cursor("created_at", cursor, descending=True)
    queries = [{**q, **later} for q in _mine(ids)]
    if unread_only:
        read_ids = [d["_id"] for d in await find_each(stores.inbox_reads, _read_by(ids))]
        queries = [{**q, "_id": {"$nin": read_ids}} for q in queries]
    docs = await find_each(
        stores.notifications, queries, sort=[("created_at", -1), ("_id", -1)], limit=limit + 1
    )
    more = len(docs) > limit
    docs = docs[:limit]
    items = await _entries(stores, docs, ids)
    next_cursor = encode_cursor(docs[-1]["created_at"], docs[-1]["_id"]) if more else None
    return Page[InboxEntry](items=items, next_cursor=next_cursor)


@router.get("/unread-count", response_model=UnreadCount, responses=errors())
async def unread_count(principal: CurrentPrincipal, stores: StoresDep) -> UnreadCount:
    """How many of the caller's notices are unread."""
    ids = await recipient_ids(stores, principal)
    total = await count_each(stores.notifications, _mine(ids))
    read = await count_each(stores.inbox_reads, _read_by(ids))
    return UnreadCount(unread=max(total - read, 0))


async def _set_read(
    stores: Stores,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    notification_id: str,
    read: bool,
) -> ReadState:
    ids = await recipient_ids(stores, principal)
    doc = await stores.notifications.find_one(
        {"_id": notification_id, "channel": str(Channel.INBOX), "erased": {"$ne": True}}
    )
    if doc is None or doc["recipient_id"] not in ids:
        raise not_found("Notification")
    # The read state is a document of its own, replaced whole: no read-modify-write.
    await stores.inbox_reads.replace_one(
        {"_id": notification_id},
        {"recipient_id": doc["recipient_id"], "read": read, "at": runtime.clock.now()},
        upsert=True,
    )
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
