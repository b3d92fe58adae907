"""Who can sign in at the local provider: one demo user per role, and the clients.

The claims are the ones the services read from an access token (``roles``, ``region``,
``municipality``, ``email``); the web app maps them through its ``SAMLING_WEB_OIDC_*_CLAIM``
settings, whose defaults are these names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEMO_PASSWORD = "samling"  # noqa: S105 - the demo users' password, printed by samling dev up


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    email: str
    roles: tuple[str, ...]
    region: str | None = None
    municipality: str | None = None
    password: str = DEMO_PASSWORD

    @property
    def subject(self) -> str:
        return f"u-{self.username}"

    def claims(self) -> dict[str, Any]:
        found: dict[str, Any] = {"name": self.name, "email": self.email, "roles": list(self.roles)}
        if self.region:
            found["region"] = self.region
        if self.municipality:
            found["municipality"] = self.municipality
        return found


@dataclass(frozen=True)
class Client:
    """A relying party. ``roles`` are what a client-credentials token of its own carries."""

    client_id: str
    secret: str
    roles: tuple[str, ...] = ()
    redirect_uris: tuple[str, ...] = field(default=())
    """Exact redirect URIs; empty means any http://127.0.0.1 or http://localhost address
    (development ports change from run to run)."""


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "koordinator",
        "Kari Koordinator",
        "kari.koordinator@rkk-salten.no",
        ("coordinator",),
        region="rkk-salten",
    ),
    DemoUser(
        "bodo-admin",
        "Berit Bodø",
        "berit.admin@bodo.kommune.no",
        ("municipality_admin",),
        region="rkk-salten",
        municipality="NO-1804",
    ),
    DemoUser("deltaker", "Per Deltaker", "per.deltaker@example.no", ("participant",)),
)

DEMO_CLIENTS: tuple[Client, ...] = (
    Client("samling-web", "dev-only-web-client-secret", roles=("web",)),
    # `samling token system` and the command line's calls as a system client.
    Client("samling-cli", "dev-only-cli-secret", roles=("system",)),
)
