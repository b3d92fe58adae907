"""Who is asking about a transfer plan: its participant (their private link and registration)
or its manager (the manager's private link). Nobody else can reach a plan's notes.

The manager's link is signed like the participant's (same key, its own audience) and also
carries the plan's random ``manager_key``: naming another manager draws a new key, so the
earlier manager's link stops opening the plan, and nothing secret is stored beyond that key.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends
from samling_runtime.problems import not_found

from samling_events.adapters.api.deps import SettingsDep, StoresDep, linked_registration
from samling_events.domain.transfer.plans import TransferPlan, plan_id_of
from samling_events.domain.transfer.sharing import Party
from samling_events.settings import EventsSettings

MANAGER_AUDIENCE = "samling-events-transfer-manager"


def new_manager_key() -> str:
    return secrets.token_urlsafe(16)


def manager_token(plan_id: str, key: str, secret: str) -> str:
    claims = {"sub": plan_id, "key": key, "aud": MANAGER_AUDIENCE}
    return jwt.encode(claims, secret, algorithm="HS256")


def manager_url(settings: EventsSettings, plan_id: str, key: str) -> str:
    """The manager's page in the web app (which reads ``GET /transfer/{token}`` here)."""
    token = manager_token(plan_id, key, settings.participant_secret.get_secret_value())
    return f"{settings.app_url.rstrip('/')}/t/{token}"


@dataclass(frozen=True, slots=True)
class Side:
    plan: TransferPlan
    party: Party


async def participant_side(
    token: str, registration_id: str, stores: StoresDep, settings: SettingsDep
) -> Side:
    reg = await linked_registration(stores, settings, token, registration_id)
    found = await stores.transfer.plans.get(plan_id_of(reg.id))
    if found is None:
        raise not_found("Transfer plan")
    return Side(found.state, Party.PARTICIPANT)


async def manager_side(token: str, stores: StoresDep, settings: SettingsDep) -> Side:
    try:
        claims = jwt.decode(
            token,
            settings.participant_secret.get_secret_value(),
            algorithms=["HS256"],
            audience=MANAGER_AUDIENCE,
            options={"require": ["sub", "key"]},
        )
    except jwt.PyJWTError as exc:
        raise not_found("Transfer plan") from exc
    found = await stores.transfer.plans.get(str(claims["sub"]))
    if found is None or not hmac.compare_digest(
        found.state.manager_key.encode(), str(claims["key"]).encode()
    ):
        raise not_found("Transfer plan")
    return Side(found.state, Party.MANAGER)


ParticipantSide = Annotated[Side, Depends(participant_side)]
"""The plan of the path's registration, when the path's private link is its participant's."""
ManagerSide = Annotated[Side, Depends(manager_side)]
"""The plan the path's manager link opens (the current manager's only)."""
