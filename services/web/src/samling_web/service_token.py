"""The web app's own credential from the identity provider: a client-credentials token.

When the services verify tokens through the provider's JWKS (``SAMLING_WEB_JWT_JWKS_URL`` set,
as in production), the development tokens the web app mints are worthless to them, so its
public reads carry a token the provider issued to its client instead, fetched before the app
serves and renewed at half its lifetime.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from samling_web.settings import WebSettings

log = logging.getLogger(__name__)
RETRY_SECONDS = 5.0


class ServiceToken:
    def __init__(self, settings: WebSettings) -> None:
        assert settings.oidc_issuer, "a client-credentials token needs SAMLING_WEB_OIDC_ISSUER"
        self._issuer = settings.oidc_issuer.rstrip("/")
        self._auth = (settings.oidc_client_id, settings.oidc_client_secret.get_secret_value())
        self._timeout = settings.upstream_timeout_seconds
        self._token = ""

    def current(self) -> str:
        return self._token

    async def refresh(self) -> float:
        """Fetches a new token; returns its lifetime in seconds."""
        async with httpx.AsyncClient(timeout=self._timeout) as http:
            metadata = await http.get(f"{self._issuer}/.well-known/openid-configuration")
            metadata.raise_for_status()
            answer = await http.post(
                metadata.json()["token_endpoint"],
                data={"grant_type": "client_credentials"},
                auth=self._auth,
            )
            answer.raise_for_status()
            body = answer.json()
        self._token = str(body["access_token"])
        return float(body.get("expires_in") or 300)

    async def _renew(self, lifetime: float) -> None:
        while True:
            await asyncio.sleep(max(lifetime / 2, 1.0))
            try:
                lifetime = await self.refresh()
            except httpx.HTTPError as exc:
                log.warning("client-credentials token not renewed: %s", exc)
                lifetime = RETRY_SECONDS * 2

    @asynccontextmanager
    async def kept_fresh(self) -> AsyncIterator[ServiceToken]:
        lifetime = await self.refresh()
        task = asyncio.create_task(self._renew(lifetime))
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
