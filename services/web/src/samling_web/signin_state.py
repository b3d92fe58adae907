"""Who is signed in: kept in the signed session cookie by :mod:`samling_web.signin`, read by
every page (the header shows the name, the sign-out button and the menu of workspace pages)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel
from samling_runtime.auth import Role

from samling_web.i18n import N_
from samling_web.settings import WebSettings

SESSION_KEY = "signin"
MY_REGISTRATIONS = "/me/registrations"
INBOX = "/me/inbox"


class SignedIn(BaseModel):
    subject: str
    name: str
    email: str | None = None
    roles: frozenset[str] = frozenset()
    region_id: str | None = None
    municipality_id: str | None = None
    access_token: str
    expires_at: float

    def administers(self) -> str | None:
        """The municipality this person administers, if any."""
        return self.municipality_id if Role.MUNICIPALITY_ADMIN in self.roles else None

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


class SignInRequired(Exception):
    """The page needs a signed-in person (or the sign-in has expired)."""


class NotAllowed(Exception):
    """The signed-in person may not use this page."""


def _roles(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list | tuple):
        return frozenset(str(v) for v in value)
    return frozenset()


def person(
    claims: Mapping[str, Any], token: Mapping[str, Any], settings: WebSettings, now: float
) -> SignedIn:
    """Who signed in, through the claims mapping; the sign-in lasts as long as its token."""
    expires = float(token.get("expires_at") or now + float(token.get("expires_in") or 0))
    return SignedIn(
        subject=str(claims["sub"]),
        name=str(claims.get("name") or claims.get("email") or claims["sub"]),
        email=claims.get("email"),
        roles=_roles(claims.get(settings.oidc_roles_claim)),
        region_id=claims.get(settings.oidc_region_claim),
        municipality_id=claims.get(settings.oidc_municipality_claim),
        access_token=str(token["access_token"]),
        expires_at=min(expires, now + settings.signin_max_seconds),
    )


def current_user(request: Request) -> SignedIn | None:
    """The signed-in person, or None (also once the sign-in has expired, which ends it)."""
    session = request.scope.get("session")
    if session is None or SESSION_KEY not in session:
        return None
    try:
        user = SignedIn.model_validate(session[SESSION_KEY])
    except ValueError:
        user = None
    if user is None or user.expires_at <= time.time():
        session.pop(SESSION_KEY, None)
        return None
    return user


async def _signed_in(request: Request) -> SignedIn:
    # async, so FastAPI runs it on the loop rather than hopping to a worker thread per page.
    user = current_user(request)
    if user is None:
        raise SignInRequired
    return user


SignedInDep = Annotated[SignedIn, Depends(_signed_in)]


def menu(user: SignedIn | None) -> list[tuple[str, str]]:
    """The workspace pages this person may open: (label, path). Only these are linked."""
    if user is None:
        return []
    links: list[tuple[str, str]] = []
    if Role.COORDINATOR in user.roles and user.region_id:
        links.append((N_("Dashboard"), "/workspace/dashboard"))
        links.append((N_("Planning"), "/workspace/planning"))
        links.append((N_("Recurring meetings"), "/workspace/series"))
        links.append((N_("Networks"), "/workspace/networks"))
    if user.administers():
        links.append((N_("Approvals"), "/workspace/approvals"))
        links.append((N_("Experience reports"), "/workspace/reports"))
        links.append((N_("Our memberships"), "/workspace/memberships"))
        links.append((N_("Our contact persons"), "/workspace/contacts"))
        links.append((N_("Our staff's registrations"), "/workspace/staff"))
        links.append((N_("Webhooks"), "/workspace/webhooks"))
    # The workspace's front page lists the same pages: linked only for those who have some.
    workspace = [(N_("Workspace"), "/workspace"), *links] if links else []
    # Registrations are found by a participant's e-mail; notices and preferences are everyone's.
    own = [(N_("My registrations"), MY_REGISTRATIONS)] if has_registrations(user) else []
    own += [(N_("My inbox"), INBOX), (N_("My preferences"), "/me/preferences")]
    # The report library is for everyone signed in (anonymous visitors see its public reports).
    return [*workspace, *own, (N_("Report library"), "/reports")]


def has_registrations(user: SignedIn) -> bool:
    """The events API finds registrations by the e-mail of a participant's token only."""
    return Role.PARTICIPANT in user.roles and bool(user.email)
