"""What the routes share: the stores, who the caller is as a recipient, error responses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from samling_runtime.auth import Principal
from samling_runtime.problems import ProblemDetails
from samling_runtime.service import Runtime, current_runtime, runtime_of

from samling_notifications.adapters.store.stores import Stores
from samling_notifications.settings import NotificationsSettings


async def stores(request: Request) -> Stores:
    found: Stores = runtime_of(request).state["stores"]
    return found


async def settings(request: Request) -> NotificationsSettings:
    found = runtime_of(request).settings
    assert isinstance(found, NotificationsSettings)
    return found


StoresDep = Annotated[Stores, Depends(stores)]
RuntimeDep = Annotated[Runtime, Depends(current_runtime)]
SettingsDep = Annotated[NotificationsSettings, Depends(settings)]


def errors(*codes: int) -> dict[int | str, dict[str, object]]:
    return {
        code: {"model": ProblemDetails, "content": {"application/problem+json": {}}}
        for code in (401, *codes)
    }


async def recipient_ids(stores: Stores, principal: Principal) -> list[str]:
    """The caller as a recipient: their user id, and participant or contact ids with their
    e-mail address (the identity provider vouches for it)."""
    ids = [principal.subject]
    if principal.email:
        async for doc in stores.recipients.find(
            {"email": principal.email.lower(), "active": True}, {"_id": 1}
        ):
            ids.append(doc["_id"])
        async for doc in stores.recipients.find(
            {"email": principal.email, "active": True}, {"_id": 1}
        ):
            if doc["_id"] not in ids:
                ids.append(doc["_id"])
    return ids
