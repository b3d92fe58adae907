"""The services' HTTP APIs as the pages need them: one pooled client per service.

The web app calls with its own credential, a token with the ``web`` role only: it reads what the
public may see (no drafts, no one's registrations but through their private link) and registers
people who have no account. The events API decides what such a registration gets: a member seat
only with an address in the municipality's e-mail domains, otherwise a seat held until the
municipality approves. Nothing an organiser or another system client does is open to it.
A service that does not answer, or answers 5xx, is :class:`UpstreamDown`: the pages then say
so in the reader's language instead of failing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel
from samling_runtime.auth import Role, mint_token

from samling_web.models import (
    Assignment,
    Eligibility,
    Event,
    EventPage,
    Municipality,
    MyFollowUp,
    MyRegistrations,
    Network,
    Region,
    Registration,
    TransferOffer,
    TransferPlan,
)
from samling_web.recent import Recent
from samling_web.settings import WebSettings

M = TypeVar("M", bound=BaseModel)
SUBJECT = "client-samling-web"
TOKEN_LIFETIME = timedelta(hours=1)
PAGE = 200  # the services' largest page
EVENT_SECONDS = 2.0
"""How long an event (with its seats left) or a page of the calendar is shown as read: under a
rush of readers one read per moment serves them all; the events API decides every registration
afresh."""


class UpstreamDown(Exception):
    """A service did not answer, or failed: the page cannot be made now."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service


class Refused(Exception):
    """A service refused a request (4xx) with problem details a page can explain."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        super().__init__(f"{status}: {problem.get('detail')}")
        self.status = status
        self.kind = str(problem.get("type", "")).rsplit("/", 1)[-1]
        self.problem = problem


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


class Api:
    """One service's API over a few small pools of connections.

    ``connections`` requests go to the clients at once, the others wait here: httpcore looks at
    every connection of its pool for each request it queues or frees, so with fifty requests
    queued in one pool that bookkeeping was 16 % of the web app's CPU (make bench-web, py-spy);
    a semaphore's queue costs nothing per waiter. Each request goes to the client with the
    fewest under way, and as no client gets more than its pool holds, none queues inside
    httpcore. ``wait_seconds`` bounds the wait as the pool's own timeout did (the service counts
    as down past it).
    """

    def __init__(
        self,
        name: str,
        clients: httpx.AsyncClient | Sequence[httpx.AsyncClient],
        connections: int | None = None,
        wait_seconds: float = 10.0,
    ) -> None:
        self.name = name
        self.clients = [clients] if isinstance(clients, httpx.AsyncClient) else list(clients)
        self._under_way = [0] * len(self.clients)
        self._gate = asyncio.Semaphore(connections) if connections else None
        self._wait_seconds = wait_seconds

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        if self._gate is None:
            return await self._request(method, url, **kwargs)
        try:
            async with asyncio.timeout(self._wait_seconds):
                await self._gate.acquire()
        except TimeoutError as exc:
            raise UpstreamDown(self.name, "PoolTimeout") from exc
        try:
            return await self._request(method, url, **kwargs)
        finally:
            self._gate.release()

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        least = min(range(len(self.clients)), key=self._under_way.__getitem__)
        self._under_way[least] += 1
        try:
            response = await self.clients[least].request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise UpstreamDown(self.name, type(exc).__name__) from exc
        finally:
            self._under_way[least] -= 1
        if response.status_code >= 500:
            raise UpstreamDown(self.name, f"answered {response.status_code}")
        return response

    async def fetch(self, model: type[M], url: str, **kwargs: Any) -> M | None:
        """GET one thing; None when it does not exist (or the web app may not see it)."""
        response = await self.request("GET", url, **kwargs)
        if response.status_code == 404:
            return None
        checked(response)
        return model.model_validate(response.json())

    async def send(self, model: type[M], method: str, url: str, **kwargs: Any) -> M:
        response = await self.request(method, url, **kwargs)
        checked(response)
        return model.model_validate(response.json())

    async def every(self, model: type[M], url: str, params: dict[str, Any], **kw: Any) -> list[M]:
        """All items of a paged list (the lists the pages need are short: a region's
        municipalities and networks)."""
        items: list[M] = []
        cursor: str | None = None
        while True:
            query = {**params, "limit": PAGE, **({"cursor": cursor} if cursor else {})}
            response = await self.request("GET", url, params=query, **kw)
            checked(response)
            body = response.json()
            items += [model.model_validate(item) for item in body["items"]]
            cursor = body.get("next_cursor")
            if not cursor:
                return items

    async def ready(self) -> bool:
        response = await self.request("GET", "/readyz")
        return response.status_code == 200


def checked(response: httpx.Response) -> None:
    if response.status_code >= 400:
        try:
            problem = response.json()
        except ValueError:
            problem = {"detail": response.text}
        raise Refused(response.status_code, problem if isinstance(problem, dict) else {})


class Services:
    """The calls the pages make, typed."""

    def __init__(self, network: Api, events: Api, tokens: Tokens) -> None:
        self.network = network
        self.events = events
        self.tokens = tokens
        self.recent = Recent()

    # -- network ---------------------------------------------------------------------------
    async def region(self, region_id: str) -> Region | None:
        return await self.recent.get(
            f"region:{region_id}",
            lambda: self.network.fetch(
                Region, f"/regions/{region_id}", headers=self.tokens.reader()
            ),
        )

    async def networks(self, region_id: str) -> list[Network]:
        return await self.recent.get(
            f"networks:{region_id}",
            lambda: self.network.every(
                Network, "/networks", {"region_id": region_id}, headers=self.tokens.reader()
            ),
        )

    async def network_of(self, network_id: str) -> Network | None:
        return await self.recent.get(
            f"network:{network_id}",
            lambda: self.network.fetch(
                Network, f"/networks/{network_id}", headers=self.tokens.reader()
            ),
        )

    async def municipalities(self, region_id: str) -> list[Municipality]:
        async def load() -> list[Municipality]:
            found = await self.network.every(
                Municipality,
                "/municipalities",
                {"region_id": region_id},
                headers=self.tokens.reader(),
            )
            return sorted(found, key=lambda m: m.name)

        return await self.recent.get(f"municipalities:{region_id}", load)

    # -- events ----------------------------------------------------------------------------
    async def upcoming(
        self,
        region_id: str,
        *,
        after: datetime,
        network_id: str | None,
        kind: str | None = None,
        municipality_id: str | None = None,
        cursor: str | None,
        limit: int,
    ) -> EventPage:
        """A page of the published events that start after ``after``, filtered by the events
        API (``municipality_id``: those the municipality's people may register for)."""
        params: dict[str, Any] = {
            "region_id": region_id,
            "status": "published",
            "starts_after": after.isoformat(),
            "limit": limit,
        }
        optional = {"network_id": network_id, "kind": kind, "municipality_id": municipality_id}
        params.update({name: value for name, value in optional.items() if value})
        if cursor:
            params["cursor"] = cursor

        async def load() -> EventPage:
            response = await self.events.request(
                "GET", "/events", params=params, headers=self.tokens.reader()
            )
            checked(response)
            return EventPage.model_validate(response.json())

        # Kept like an event: the page's readers in the same moment share one read (an event
        # that began in that moment may still be listed).
        listed = {k: v for k, v in params.items() if k != "starts_after"}
        key = "upcoming:" + "&".join(f"{k}={v}" for k, v in sorted(listed.items()))
        return await self.recent.get(key, load, seconds=EVENT_SECONDS)

    async def event(self, event_id: str) -> Event | None:
        return await self.recent.get(
            f"event:{event_id}",
            lambda: self.events.fetch(Event, f"/events/{event_id}", headers=self.tokens.reader()),
            seconds=EVENT_SECONDS,
        )

    async def event_for_form(self, event_id: str) -> Event | None:
        """The event as a sent registration form reads it (open? its questions?): kept like the
        page's, but not forgotten after each registration, which made every next form ask the
        events API for the event again (make bench-web). The seats, which change with each
        registration, are the events API's to count."""
        return await self.recent.get(
            f"form-event:{event_id}", lambda: self.event(event_id), seconds=EVENT_SECONDS
        )

    def forget_event(self, event_id: str) -> None:
        """After a registration from here: the next page shows its seats taken."""
        self.recent.forget(f"event:{event_id}")

    async def event_ics(self, event_id: str) -> bytes | None:
        response = await self.events.request(
            "GET", f"/events/{event_id}/calendar.ics", headers=self.tokens.reader()
        )
        if response.status_code == 404:
            return None
        checked(response)
        return response.content

    async def register(
        self, event: Event, applicant: Mapping[str, Any], idempotency_key: str
    ) -> Registration:
        return await self.events.send(
            Registration,
            "POST",
            f"/events/{event.id}/registrations",
            json=dict(applicant),
            headers={**self.tokens.reader(), "Idempotency-Key": idempotency_key},
        )

    async def my_registrations(self, token: str) -> MyRegistrations | None:
        return await self.events.fetch(MyRegistrations, f"/manage/{token}")

    async def cancel_mine(self, token: str, registration_id: str) -> Registration:
        return await self.events.send(
            Registration, "POST", f"/manage/{token}/registrations/{registration_id}/cancel"
        )

    async def accept_offer(self, token: str, registration_id: str) -> Registration:
        return await self.events.send(
            Registration, "POST", f"/manage/{token}/registrations/{registration_id}/accept"
        )

    # -- the participant's side (issue #12) ------------------------------------------------
    async def eligible_municipalities(self, event: Event) -> set[str] | None:
        """The municipalities that may register for the event, when the events API says
        (``GET /events/{id}/eligibility``); None when it does not (an older events API).
        Kept like the region's memberships it derives from: the events API checks each
        registration itself."""

        async def load() -> set[str] | None:
            response = await self.events.request(
                "GET", f"/events/{event.id}/eligibility", headers=self.tokens.reader()
            )
            if response.status_code in (404, 405):
                return None
            checked(response)
            return set(Eligibility.model_validate(response.json()).municipality_ids)

        return await self.recent.get(f"eligibility:{event.id}", load)

    async def prework(self, event: Event) -> list[Assignment]:
        """The event's pre-work, for its page (public, and set once before the event)."""

        async def load() -> list[Assignment]:
            response = await self.events.request(
                "GET", f"/events/{event.id}/prework", headers=self.tokens.reader()
            )
            if response.status_code == 404:
                return []
            checked(response)
            return [Assignment.model_validate(item) for item in response.json()]

        return await self.recent.get(f"prework:{event.id}", load)

    async def my_followup(self, token: str, registration_id: str) -> MyFollowUp | None:
        return await self.events.fetch(
            MyFollowUp, f"/manage/{token}/registrations/{registration_id}/followup"
        )

    async def mark_done(self, token: str, registration_id: str, assignment_id: str) -> None:
        response = await self.events.request(
            "POST",
            f"/manage/{token}/registrations/{registration_id}/assignments/{assignment_id}/done",
        )
        checked(response)

    async def evaluate(self, token: str, registration_id: str, answer: Mapping[str, Any]) -> None:
        response = await self.events.request(
            "PUT",
            f"/manage/{token}/registrations/{registration_id}/evaluation",
            json=dict(answer),
        )
        checked(response)

    async def my_feed(self, token: str) -> bytes | None:
        response = await self.events.request("GET", f"/manage/{token}/calendar.ics")
        if response.status_code == 404:
            return None
        checked(response)
        return response.content

    async def feed(self, of: str, owner_id: str) -> bytes:
        """A public calendar feed: ``of`` is "networks" or "municipalities"."""
        response = await self.events.request("GET", f"/calendars/{of}/{owner_id}.ics")
        checked(response)
        return response.content

    # -- transfer plans (issue #17): ``base`` is the participant's or the manager's link ----
    async def my_transfer_offers(self, token: str) -> list[TransferOffer]:
        response = await self.events.request("GET", f"/manage/{token}/transfer")
        if response.status_code == 404:
            return []
        checked(response)
        return [TransferOffer.model_validate(item) for item in response.json()]

    async def name_manager(self, token: str, registration_id: str, name: str, email: str) -> None:
        response = await self.events.request(
            "PUT",
            f"/manage/{token}/registrations/{registration_id}/transfer",
            json={"name": name, "email": email},
        )
        checked(response)

    async def transfer_plan(self, base: str) -> TransferPlan | None:
        return await self.events.fetch(TransferPlan, base)

    async def transfer_post(
        self, base: str, suffix: str, body: Mapping[str, Any] | None = None
    ) -> None:
        """A note, a held mark or a sharing step on the plan at ``base``."""
        response = await self.events.request("POST", base + suffix, json=body)
        checked(response)

    async def forget_me(self, token: str) -> None:
        response = await self.events.request("DELETE", f"/manage/{token}")
        checked(response)


POOL_SIZE = 10
"""Connections per client: a pool's bookkeeping grows with its size (see :class:`Api`), so more
connections to a service are more pools of this size (make bench-web: one pool of 50 cost a
registration 6.2 ms of the web app's CPU where one of 10 cost 3.3 ms)."""


def pooled_clients(
    base_url: str, settings: WebSettings, transport: httpx.AsyncBaseTransport | None
) -> list[httpx.AsyncClient]:
    """``settings.upstream_connections`` connections to one service, in pools of ``POOL_SIZE``."""
    total = settings.upstream_connections
    return [
        httpx.AsyncClient(
            base_url=base_url,
            timeout=settings.upstream_timeout_seconds,
            limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
            transport=transport,
        )
        for size in [POOL_SIZE] * (total // POOL_SIZE)
        + [total % POOL_SIZE] * bool(total % POOL_SIZE)
    ]
