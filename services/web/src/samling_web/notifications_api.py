"""The notifications API as the pages need it.

The preferences pages from a mail: the mail's signed link is the credential (no sign-in),
passed on as the API's ``token``; a link the API refuses (400) is a page that does not exist.
The signed-in person's inbox and preferences: their own access token, so the notifications
service decides whose notices they are.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from samling_web.models import Inbox, Preferences
from samling_web.signin_state import SignInRequired
from samling_web.upstream_api import Api, UpstreamDown, checked

log = logging.getLogger(__name__)
UNREAD_SECONDS = 0.5
"""How long a page waits for the header's unread count: without it the page is still whole."""


class Notifications:
    def __init__(self, api: Api) -> None:
        self.api = api

    async def preferences(self, token: str) -> Preferences | None:
        response = await self.api.request("GET", "/preferences/link", params={"token": token})
        if response.status_code in (400, 404):
            return None
        checked(response)
        return Preferences.model_validate(response.json())

    async def save(self, token: str, wanted: dict[str, Any]) -> Preferences:
        return await self.api.send(
            Preferences, "PUT", "/preferences/link", params={"token": token}, json=wanted
        )

    async def unsubscribe(self, token: str) -> Preferences:
        """The same as the mail client's one-click unsubscribe (RFC 8058)."""
        return await self.api.send(Preferences, "POST", "/unsubscribe", params={"token": token})

    # -- the signed-in person's own ---------------------------------------------------------
    async def unread(self, bearer: dict[str, str]) -> int | None:
        """The header's count; None when the service does not answer at once."""
        try:
            async with asyncio.timeout(UNREAD_SECONDS):
                response = await self.api.request("GET", "/inbox/unread-count", headers=bearer)
        except (TimeoutError, UpstreamDown) as exc:
            log.info("no unread count: %s", exc)
            return None
        if response.status_code != 200:
            return None
        unread = response.json().get("unread")
        return unread if isinstance(unread, int) else None

    async def _as(
        self, bearer: dict[str, str], method: str, path: str, **kw: Any
    ) -> httpx.Response:
        """A call as the person: an expired sign-in asks them to sign in again."""
        response = await self.api.request(method, path, headers=bearer, **kw)
        if response.status_code == 401:
            raise SignInRequired
        checked(response)
        return response

    async def inbox(self, bearer: dict[str, str], cursor: str | None) -> Inbox:
        params = {"cursor": cursor} if cursor else {}
        return Inbox.model_validate((await self._as(bearer, "GET", "/inbox", params=params)).json())

    async def mark(self, bearer: dict[str, str], notification_id: str, read: bool) -> None:
        await self._as(bearer, "PUT" if read else "DELETE", f"/inbox/{notification_id}/read")

    async def my_preferences(self, bearer: dict[str, str]) -> Preferences:
        response = await self._as(bearer, "GET", "/preferences/me")
        return Preferences.model_validate(response.json())

    async def save_mine(self, bearer: dict[str, str], wanted: dict[str, Any]) -> None:
        await self._as(bearer, "PUT", "/preferences/me", json=wanted)
