"""The calls the pages make to the network and events services, typed and kept as long as each
may be shown (:mod:`samling_web.recent`).

The web app calls with its own credential (:mod:`samling_web.upstream_tokens`); the events API
decides what a registration without an account gets: a member seat only with an address in
the municipality's e-mail domains, otherwise a seat held until the municipality approves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

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
from samling_web.registration_batches import RegistrationBatches
from samling_web.upstream_api import Api, checked
from samling_web.upstream_tokens import Tokens

EVENT_SECONDS = 2.0
"""How long an event (with its seats left) or a page of the calendar is shown as read: under a
rush of readers one read per moment serves them all; the events API decides every registration
afresh."""


class Services:
    """The calls the pages make, typed."""

    def __init__(self, network: Api, events: Api, tokens: Tokens) -> None:
        self.network = network
        self.events = events
        self.tokens = tokens
        self.recent = Recent()
        self.batches = RegistrationBatches(events, tokens)

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
        """Sent together with the forms for the same event that arrive meanwhile
        (:mod:`samling_web.registration_batches`)."""
        return await self.batches.register(event.id, applicant, idempotency_key)

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
