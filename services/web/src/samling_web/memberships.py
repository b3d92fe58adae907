"""Networks and the memberships of municipalities in them as the workspace pages read them
(network ``GET /networks?region_id=``, ``GET /municipalities/{id}/memberships`` and
``GET /networks/{id}/memberships``), every page, with the person's own token (an expired one
asks them to sign in again)."""

from __future__ import annotations

from datetime import date
from typing import Any

from samling_web.deps import Web
from samling_web.models import Network, Upstream
from samling_web.signin_state import SignedIn
from samling_web.workspace import read

PAGE = 200  # the network API's largest page


class Membership(Upstream):
    id: str
    network_id: str
    municipality_id: str
    sequence: int
    starts_on: date
    ends_on: date | None = None
    active: bool


class Memberships(Upstream):
    items: list[Membership]
    next_cursor: str | None = None


class Networks(Upstream):
    items: list[Network]
    next_cursor: str | None = None


async def region_networks(web: Web, user: SignedIn, region_id: str) -> list[Network]:
    """The region's networks (not archived), by name: a region has a handful, one page."""
    params = {"region_id": region_id, "limit": PAGE}
    found = await read(web, user, Networks, "/networks", api=web.services.network, params=params)
    return sorted(found.items, key=lambda n: n.name)


async def every_membership(web: Web, user: SignedIn, path: str) -> list[Membership]:
    """All of a list's memberships, newest first (the latest start, then the latest round)."""
    found: list[Membership] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": PAGE, **({"cursor": cursor} if cursor else {})}
        page = await read(web, user, Memberships, path, api=web.services.network, params=params)
        found += page.items
        cursor = page.next_cursor
        if not cursor:
            return sorted(found, key=lambda m: (m.starts_on, m.sequence), reverse=True)
