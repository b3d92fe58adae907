"""Signing in at the development OpenID Connect provider, as the web tests' worlds do it: a
person's own access token for the services, and a visitor who signed in through the web app."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from samling_devtools.oidc import DEMO_PASSWORD, OidcServer
from samling_devtools.oidc.flow import sign_in


def authorization(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def provider_token(provider: OidcServer, username: str) -> dict[str, str]:
    """An Authorization header with the access token the provider gives ``username``."""
    return authorization(sign_in(provider.issuer, username)["access_token"])


async def sign_in_through_the_web_app(
    client: httpx.AsyncClient, provider: OidcServer, username: str
) -> None:
    """/signin, the provider's form and back, as a browser does (``client``: on the web app's
    real port, redirects not followed)."""
    answer = await client.get("/signin", params={"next": "/workspace"})
    assert answer.status_code in (302, 303), answer.text
    form = await client.get(answer.headers["location"])
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.text
        )
    }
    answer = await client.post(
        f"{provider.issuer}/authorize",
        data={**fields, "username": username, "password": DEMO_PASSWORD},
    )
    assert answer.status_code == 303, answer.text
    answer = await client.get(answer.headers["location"])
    assert answer.status_code == 303, answer.text


class SignsIn:
    """A world whose web app, served on a real port (``site``), signs people in at
    ``provider``: the services trust that provider's keys only."""

    provider: OidcServer
    site: str

    def token(self, username: str) -> dict[str, str]:
        return provider_token(self.provider, username)

    @asynccontextmanager
    async def signed_in(self, username: str) -> AsyncIterator[httpx.AsyncClient]:
        """A visitor without JavaScript who signed in through /signin and the provider's form,
        redirects not followed."""
        async with httpx.AsyncClient(base_url=self.site, timeout=30) as client:
            await sign_in_through_the_web_app(client, self.provider, username)
            yield client
