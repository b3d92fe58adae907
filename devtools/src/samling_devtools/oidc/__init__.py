"""A real OpenID Connect provider for development and tests (see :mod:`.provider`)."""

from samling_devtools.oidc.provider import OidcProvider, OidcServer
from samling_devtools.oidc.users import DEMO_CLIENTS, DEMO_PASSWORD, DEMO_USERS, Client, DemoUser

__all__ = [
    "DEMO_CLIENTS",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "Client",
    "DemoUser",
    "OidcProvider",
    "OidcServer",
]
