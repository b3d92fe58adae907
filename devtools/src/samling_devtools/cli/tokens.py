"""Development bearer tokens, minted in one place for every command (``samling token``, the
HTTP commands' ``--as``, and ``samling dev up``'s demo data and welcome)."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Annotated

import typer

from samling_devtools.oidc import DEMO_CLIENTS, OidcProvider
from samling_devtools.oidc.flow import client_token, sign_in

ROLES = {
    "coordinator": {"subject": "u-coordinator-salten", "region_id": "rkk-salten"},
    "municipality_admin": {"subject": "u-admin-bodo", "municipality_id": "NO-1804"},
    "participant": {"subject": "u-participant-kari", "email": "kari.nordmann@example.no"},
    "system": {"subject": "client-hr-system"},
}
"""The roles a development token can carry, with the demo data's claims for each."""

# The demo user who signs in for each role when tokens come from the OIDC provider.
DEMO_USERNAMES = {"coordinator": "koordinator", "municipality_admin": "bodo-admin",
                  "participant": "deltaker"}  # fmt: skip


def dev_token(role: str, provider: OidcProvider | None = None) -> str:
    """A token for a role: from ``provider`` (``dev up`` runs one in-process), else from the
    provider at ``SAMLING_OIDC_ISSUER`` when set (what ``dev up`` prints), else minted with the
    development HS256 key (services without a JWKS URL accept those)."""
    from samling_runtime.auth import Role, mint_token
    from samling_runtime.settings import ServiceSettings

    claims = ROLES[role]
    if provider is not None:
        renamed = {"region_id": "region", "municipality_id": "municipality"}
        extra = {renamed.get(k, k): v for k, v in claims.items() if k != "subject"}
        return provider.issue(
            claims["subject"], lifetime=timedelta(hours=12), roles=[role], **extra
        )
    issuer = os.environ.get("SAMLING_OIDC_ISSUER")
    if issuer:
        return provider_token(issuer, role)
    return mint_token(ServiceSettings(), roles=[Role(role)], **claims)  # type: ignore[arg-type]


def provider_token(issuer: str, role: str) -> str:
    """A demo user's token through the provider's sign-in, or the CLI client's own."""
    if role in DEMO_USERNAMES:
        return sign_in(issuer, DEMO_USERNAMES[role])["access_token"]
    return client_token(issuer, next(c for c in DEMO_CLIENTS if role in c.roles))


def known_role(role: str) -> str:
    """``role`` if a token can be made for it, else a usage error naming the choices."""
    if role not in ROLES:
        raise typer.BadParameter(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    return role


def token(
    role: Annotated[
        str, typer.Argument(help=f"One of: {', '.join(ROLES)}", callback=known_role)
    ] = "coordinator",
    header: Annotated[
        bool, typer.Option("--header", help="Print as an Authorization header.")
    ] = False,
) -> None:
    """Print a development bearer token for a role.

    From the provider at SAMLING_OIDC_ISSUER when set (as `samling dev up` prints), else
    signed with the development key.
    """
    minted = dev_token(role)
    typer.echo(f"Authorization: Bearer {minted}" if header else minted)
