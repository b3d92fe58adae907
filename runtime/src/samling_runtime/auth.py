"""Bearer JWTs (OIDC style): verified against a configured issuer and key set.

Production points ``jwt_jwks_url`` at the identity provider's JWKS (RS256/ES256). Development
and tests use an HS256 key and :func:`mint_token`, which ``samling token`` exposes.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from samling_runtime.problems import Problem
from samling_runtime.settings import ServiceSettings


class Role(StrEnum):
    COORDINATOR = "coordinator"
    MUNICIPALITY_ADMIN = "municipality_admin"
    PARTICIPANT = "participant"
    SYSTEM = "system"
    WEB = "web"
    """The public web app's own client: reads what the public may see and registers people
    who have no account, whose claim to a municipality the events service checks."""


class Principal(BaseModel):
    """Who is calling, from the token's claims."""

    subject: str = Field(description="Token subject (user or client id).")
    roles: frozenset[Role] = Field(description="Granted roles.")
    region_id: str | None = Field(None, description="Region a coordinator works for.")
    municipality_id: str | None = Field(None, description="Municipality an admin manages.")
    email: str | None = Field(None, description="E-mail, when the token carries one.")

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def is_coordinator_of(self, region_id: str | None) -> bool:
        return (
            Role.COORDINATOR in self.roles and region_id is not None and self.region_id == region_id
        )

    def is_admin_of(self, municipality_id: str | None) -> bool:
        return (
            Role.MUNICIPALITY_ADMIN in self.roles
            and municipality_id is not None
            and self.municipality_id == municipality_id
        )


class TokenVerifier:
    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None

    async def verify(self, token: str) -> Principal:
        try:
            if self._jwks is not None:
                signing_key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
                key: Any = signing_key.key
                algorithms = ["RS256", "ES256"]
            else:
                key = self._settings.jwt_secret.get_secret_value()
                algorithms = ["HS256"]
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._settings.jwt_audience,
                issuer=self._settings.jwt_issuer,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise Problem(
                401,
                f"The access token was not accepted: {exc}.",
                kind="unauthenticated",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from exc
        return Principal(
            subject=claims["sub"],
            roles=frozenset(
                Role(r) for r in claims.get("roles", []) if r in Role.__members__.values()
            ),
            region_id=claims.get("region"),
            municipality_id=claims.get("municipality"),
            email=claims.get("email"),
        )


def mint_token(
    settings: ServiceSettings,
    *,
    subject: str,
    roles: list[Role],
    region_id: str | None = None,
    municipality_id: str | None = None,
    email: str | None = None,
    lifetime: timedelta = timedelta(hours=12),
) -> str:
    """A development token signed with the HS256 key; refused when a JWKS is configured."""
    if settings.jwt_jwks_url:
        raise RuntimeError("tokens come from the identity provider when a JWKS URL is set")
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + lifetime,
        "roles": [str(r) for r in roles],
    }
    for name, value in (("region", region_id), ("municipality", municipality_id), ("email", email)):
        if value:
            claims[name] = value
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


_bearer = HTTPBearer(auto_error=False, description="A bearer JWT from the identity provider.")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Problem(
            401,
            "Sign in first: send 'Authorization: Bearer <token>'.",
            kind="unauthenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    verifier: TokenVerifier = request.app.state.token_verifier
    return await verifier.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(principal: Principal, *roles: Role) -> None:
    if not principal.has(*roles):
        wanted = " or ".join(str(r) for r in roles)
        raise Problem(403, f"This needs the {wanted} role.", kind="forbidden")
