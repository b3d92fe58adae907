"""Preferences per recipient, the delivery log of a notice, and the one-click unsubscribe link."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from samling_kernel.decisions import Change
from samling_runtime.auth import CurrentPrincipal, Role
from samling_runtime.inputs import RequestBody
from samling_runtime.problems import Problem, not_found
from samling_runtime.store import AlreadyExists

from samling_notifications.adapters.api.deps import (
    SettingsDep,
    StoresDep,
    errors,
    recipient_ids,
)
from samling_notifications.adapters.email.links import MailLinks
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.domain.links import verify_recipient
from samling_notifications.domain.notices import Digest, Preferences

router = APIRouter(tags=["preferences"])


class PreferencesUpdate(RequestBody):
    email: bool = Field(True, description="Receive e-mail.", examples=[True])
    inbox: bool = Field(True, description="Receive notices in the inbox.", examples=[True])
    language: str | None = Field(
        None, pattern="^(nb|nn|sv|da|en)$", description="Language of notices.", examples=["nn"]
    )
    digest: Digest = Field(
        Digest.IMMEDIATE,
        description="immediate, daily or weekly for non-urgent notices (new events, "
        "announcements, reports). Notices about your own registrations are never bundled.",
        examples=["daily"],
    )
    unsubscribed: bool = Field(False, description="No subscribed notices at all.", examples=[False])


class LogLine(BaseModel):
    status: str = Field(examples=["sent"])
    at: datetime
    attempt: int = Field(0, examples=[1])
    reason: str | None = Field(None, examples=["451 4.3.0 Try again later"])


class DeliveryLog(BaseModel):
    notification_id: str
    channel: str = Field(examples=["email"])
    kind: str = Field(examples=["registration.confirmed"])
    status: str = Field(examples=["sent"])
    log: list[LogLine]


async def save_preferences(stores: Stores, recipient_id: str, wanted: Preferences) -> Preferences:
    try:
        created = await stores.preferences.create(recipient_id, Change(wanted))
        return created.state
    except AlreadyExists:
        updated = await stores.preferences.update(
            recipient_id, lambda current: None if current == wanted else Change(wanted)
        )
        return updated.state


@router.get("/preferences/me", response_model=Preferences, responses=errors())
async def my_preferences(principal: CurrentPrincipal, stores: StoresDep) -> Preferences:
    """The caller's notification preferences (defaults until changed)."""
    found = await stores.preferences.get(principal.subject)
    return found.state if found else Preferences(recipient_id=principal.subject)


@router.put("/preferences/me", response_model=Preferences, responses=errors(422))
async def set_my_preferences(
    body: PreferencesUpdate, principal: CurrentPrincipal, stores: StoresDep
) -> Preferences:
    """Change channels, language and digest; applies to every address the caller is known by."""
    result = None
    for recipient_id in await recipient_ids(stores, principal):
        saved = await save_preferences(
            stores, recipient_id, Preferences(recipient_id=recipient_id, **body.model_dump())
        )
        if recipient_id == principal.subject:
            result = saved
    assert result is not None
    return result


def _recipient_from(token: str, settings: SettingsDep) -> str:
    recipient_id = verify_recipient(token, settings.link_secret.get_secret_value())
    if recipient_id is None:
        raise Problem(
            400, "This link is not valid. Sign in to change your notifications.", kind="bad-link"
        )
    return recipient_id


@router.get(
    "/preferences/link",
    response_model=Preferences,
    responses=errors(400),
    summary="Preferences behind a mail's signed link",
)
async def linked_preferences(
    stores: StoresDep,
    settings: SettingsDep,
    token: str = Query(description="From the mail's preferences link."),
) -> Preferences:
    """What the web app's preferences page shows: no sign-in, the signed link is the
    credential, and it reaches only the recipient it was made for."""
    recipient_id = _recipient_from(token, settings)
    found = await stores.preferences.get(recipient_id)
    return found.state if found else Preferences(recipient_id=recipient_id)


@router.put(
    "/preferences/link",
    response_model=Preferences,
    responses=errors(400, 422),
    summary="Change the preferences behind a mail's signed link",
)
async def set_linked_preferences(
    body: PreferencesUpdate,
    stores: StoresDep,
    settings: SettingsDep,
    token: str = Query(description="From the mail's preferences link."),
) -> Preferences:
    """Channels, language, digest and unsubscribe of the link's recipient (only that address:
    a link from a mail knows no account)."""
    recipient_id = _recipient_from(token, settings)
    return await save_preferences(
        stores, recipient_id, Preferences(recipient_id=recipient_id, **body.model_dump())
    )


@router.get(
    "/unsubscribe",
    status_code=303,
    response_class=RedirectResponse,
    responses=errors(400),
    summary="Open the unsubscribe page",
)
async def unsubscribe_page(token: str, settings: SettingsDep) -> RedirectResponse:
    """``List-Unsubscribe`` opened in a browser: the web app's confirm page. GET changes
    nothing, so mail scanners following links do not unsubscribe anyone; the mail client's
    one-click POST (RFC 8058) comes here."""
    _recipient_from(token, settings)
    return RedirectResponse(MailLinks(settings).unsubscribe_page(token), status_code=303)


@router.post("/unsubscribe", response_model=Preferences, responses=errors(400))
async def unsubscribe(
    stores: StoresDep, settings: SettingsDep, token: str = Query(description="From the link.")
) -> Preferences:
    """One-click unsubscribe (RFC 8058): no more subscribed notices; own registrations still
    arrive."""
    recipient_id = _recipient_from(token, settings)
    found = await stores.preferences.get(recipient_id)
    current = found.state if found else Preferences(recipient_id=recipient_id)
    return await save_preferences(
        stores, recipient_id, current.model_copy(update={"unsubscribed": True})
    )


@router.get(
    "/notifications/{notification_id}/log", response_model=DeliveryLog, responses=errors(404)
)
async def delivery_log(
    notification_id: str, principal: CurrentPrincipal, stores: StoresDep
) -> DeliveryLog:
    """Queued, sent, delivered, retried, failed (with the reason): the notice's delivery log.
    Readable by its recipient and by system clients."""
    notice = await stores.notice(notification_id)
    if notice is None or (
        not principal.has(Role.SYSTEM)
        and notice["recipient_id"] not in await recipient_ids(stores, principal)
    ):
        raise not_found("Notification")
    lines = [LogLine(status="queued", at=notice["created_at"])]
    status = notice.get("status", "queued")
    if notice["channel"] == "inbox":
        lines.append(LogLine(status="delivered", at=notice["created_at"]))
    history = await stores.deliveries.history(notification_id)
    if history:  # the notice document is never updated: its log says where it stands
        status = str(history[-1].state.status)
    for revision in history:
        lines.append(
            LogLine(
                status=str(revision.state.status),
                at=revision.recorded_at,
                attempt=revision.state.attempt,
                reason=revision.state.reason,
            )
        )
    return DeliveryLog(
        notification_id=notification_id,
        channel=notice["channel"],
        kind=notice["kind"],
        status=status,
        log=lines,
    )
