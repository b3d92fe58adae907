"""Writing notices: one document per (recipient, fact, kind, channel), inserted before sending.

The unique index makes a redelivered fact, a crash-and-replay or two instances racing insert
nothing new; ``insert_many(ordered=False)`` inserts the rest of a batch past each duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from samling_contracts.vocabulary import Channel
from samling_runtime.mongo import Document, insert_new

from samling_notifications.adapters.store.expiry import NOTICES_BY_HOUR
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.domain.notices import (
    Digest,
    Draft,
    Preferences,
    Status,
    next_digest_at,
    notification_id,
)

CHUNK = 1000
"""Documents per insert (and per ``mail_chunks`` document): short SQLite transactions on
FerretDB (long ones lock out others)."""


EVENT_FIELDS = ("title", "starts_at", "ends_at", "timezone", "venue", "online_url", "network_id")


def event_details(event: Document) -> dict[str, Any]:
    """What templates show about an event, from its read-model document."""
    details = {key: event.get(key) for key in EVENT_FIELDS}
    for key in ("starts_at", "ends_at"):
        moment = details[key]
        if isinstance(moment, datetime):
            details[key] = moment.isoformat()
    return details


async def event_params(stores: Stores, event_id: str) -> dict[str, Any]:
    """What templates show about an event (the read model may not have it yet)."""
    doc = await stores.shared.events.get(event_id)
    if doc is None:
        return {}
    params = event_details(doc)
    if doc.get("network_id"):
        network = await stores.shared.networks.get(doc["network_id"])
        params["network"] = network["name"] if network else None
    return params


def with_event(notice: Document, event: Document | None) -> Document:
    """The notice with what its params lack about its event taken from the event as it is now:
    a notice queued before its event's fact arrived (another topic) knows nothing of it."""
    if event is None:
        return notice
    params = dict(notice.get("params") or {})
    missing = {k: v for k, v in event_details(event).items() if params.get(k) is None}
    return {**notice, "params": {**params, **missing}} if missing else notice


async def preferences_of(stores: Stores, ids: Iterable[str]) -> dict[str, Preferences]:
    wanted = list(set(ids))
    found: dict[str, Preferences] = {}
    for start in range(0, len(wanted), CHUNK):
        cursor = stores.preferences.current.find({"_id": {"$in": wanted[start : start + CHUNK]}})
        async for doc in cursor:
            prefs = stores.preferences.from_current(doc)
            found[prefs.recipient_id] = prefs
    return found


def notice_documents(
    draft: Draft, preferences: dict[str, Preferences], now: datetime
) -> list[Document]:
    docs: list[Document] = []
    seen: set[str] = set()
    for recipient in draft.recipients:
        if recipient.id in seen:
            continue
        seen.add(recipient.id)
        prefs = preferences.get(recipient.id) or Preferences(recipient_id=recipient.id)
        for channel in prefs.channels_for(draft.kind):
            doc: Document = {
                "_id": notification_id(recipient.id, draft.source_event_id, draft.kind, channel),
                "recipient_id": recipient.id,
                "recipient_type": str(recipient.type),
                "source_event_id": draft.source_event_id,
                "kind": str(draft.kind),
                "channel": str(channel),
                "refs": draft.refs,
                "params": draft.params,
                "created_at": now,
                **NOTICES_BY_HOUR.fields(now),  # for the expiry sweep
                "attempts": 0,
            }
            if channel is Channel.INBOX:
                doc.update(status=str(Status.DELIVERED), pending=False)
            elif (digest := prefs.digest_for(draft.kind)) is not Digest.IMMEDIATE:
                doc.update(
                    status=str(Status.QUEUED),
                    pending=False,
                    digest=str(digest),
                    digest_at=next_digest_at(now, digest),
                )
            else:
                doc.update(status=str(Status.QUEUED), pending=True, next_attempt_at=now)
            docs.append(doc)
    return docs


async def insert_notices(stores: Stores, docs: list[Document]) -> list[Document]:
    """Insert what is new and return it (a duplicate is the exactly-once rule at work)."""
    fresh: list[Document] = []
    for start in range(0, len(docs), CHUNK):
        chunk = docs[start : start + CHUNK]
        clashed = await insert_new(stores.notifications, chunk)
        fresh.extend(d for i, d in enumerate(chunk) if i not in clashed)
    return fresh
