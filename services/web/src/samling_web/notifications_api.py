"""The notifications API as the preferences pages need it: the mail's signed link is the
credential (no sign-in), passed on as the API's ``token``; a link the API refuses (400) is a
page that does not exist."""

from __future__ import annotations

from typing import Any

from samling_web.models import Preferences
from samling_web.upstreams import Api, checked


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
