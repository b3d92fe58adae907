"""What the routes share: the service's parts (one typed container, see
:mod:`samling_notifications.container`), who the caller is as a recipient, error responses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from samling_runtime.auth import Principal
from samling_runtime.problems import ProblemDetails
from samling_runtime.service import Runtime

from samling_notifications.adapters.store.stores import Stores
from samling_notifications.container import Notifications, started_in
from samling_notifications.settings import NotificationsSettings


def notifications(request: Request) -> Notifications:
    return started_in(request.app).get()


NotificationsDep = Annotated[Notifications, Depends(notifications)]


def stores(service: NotificationsDep) -> Stores:
    return service.stores


def runtime(service: NotificationsDep) -> Runtime:
    return service.runtime


def settings(service: NotificationsDep) -> NotificationsSettings:
    return service.settings


# Views of the one container, for routes that need only one part of it.
StoresDep = Annotated[Stores, Depends(stores)]
RuntimeDep = Annotated[Runtime, Depends(runtime)]
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
        ids.extend(await stores.people.active_with_email(principal.email.lower()))
        for recipient_id in await stores.people.active_with_email(principal.email):
            if recipient_id not in ids:
                ids.append(recipient_id)
    return ids
