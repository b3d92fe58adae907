"""The web app's own credential towards the services: a token with the ``web`` role only.

It reads what the public may see (no drafts, no one's registrations but through their private
link) and registers people who have no account. Nothing an organiser or another system client
does is open to it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from samling_runtime.auth import Role, mint_token

from samling_web.settings import WebSettings

SUBJECT = "client-samling-web"
TOKEN_LIFETIME = timedelta(hours=1)


@dataclass
class Tokens:
    """Tokens the web app mints for itself, re-minted well before they expire."""

    settings: WebSettings
    issued: Callable[[], str] | None = None
    """The identity provider's client-credentials token, used instead of a minted one when the
    services verify tokens through its JWKS (see service_token.py)."""
    _cache: dict[str, tuple[float, str]] = field(default_factory=dict)

    def _get(self, key: str, **claims: Any) -> str:
        now = time.monotonic()
        found = self._cache.get(key)
        if found is None or found[0] < now:
            token = mint_token(self.settings, subject=SUBJECT, lifetime=TOKEN_LIFETIME, **claims)
            self._cache[key] = (now + TOKEN_LIFETIME.total_seconds() / 2, token)
            return token
        return found[1]

    def reader(self) -> dict[str, str]:
        token = self.issued() if self.issued else self._get("web", roles=[Role.WEB])
        return {"Authorization": f"Bearer {token}"}
