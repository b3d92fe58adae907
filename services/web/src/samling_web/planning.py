"""What the coordinator's planning pages share: the event as the events API gives it (all its
details, so a change can send back what the page does not show), its conflict warnings, the
notice shown after a change, and the API's refusals as messages beside the fields.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse

from samling_web.deps import Web
from samling_web.i18n import N_
from samling_web.models import Event, Upstream
from samling_web.signin_state import SignedIn, SignInRequired
from samling_web.upstream_api import Refused, checked
from samling_web.workspace import as_person, coordinated

HOME = "/workspace/planning"
NOTICE = "planning_notice"
NOT_ACCEPTED = N_("This was not accepted. Check it and try again")
NOT_NOW = N_(
    "The events service did not accept this change in the event's current state, for example "
    "a capacity below the seats already taken, or an event that is cancelled."
)
SAME_NETWORK = N_("Overlaps with “%(title)s” (%(when)s) in the same network.")
SAME_VENUE = N_("Overlaps with “%(title)s” (%(when)s) at the same venue.")
SAME_BOTH = N_("Overlaps with “%(title)s” (%(when)s) in the same network and at the same venue.")
# Where the events API's body fields are shown on the planning forms.
PLACES = {
    **{name: name for name in ("venue", "online_url", "capacity", "title", "description")},
    **{"starts_at": "starts_on", "ends_at": "ends_time", "reason": "message", "message": "message"},
}


class Conflict(Upstream):
    """An overlapping event (events ``GET /events/{id}/conflicts``): a warning, not a refusal."""

    event_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str = "Europe/Oslo"
    reason: str

    @property
    def message(self) -> str:
        reasons = set(self.reason.split(" and "))
        if reasons >= {"same network", "same venue"}:
            return SAME_BOTH
        return SAME_NETWORK if "same network" in reasons else SAME_VENUE


def path(event_id: str, suffix: str = "") -> str:
    return f"{HOME}/{event_id}{suffix}"


async def event_json(web: Web, user: SignedIn, event_id: str) -> dict[str, Any]:
    """The event as the events API gives it to this coordinator (403/404 as the page's)."""
    coordinated(user)
    response = await as_person(web, user, "GET", f"/events/{event_id}")
    checked(response)
    found: dict[str, Any] = response.json()
    return found


async def planned(web: Web, user: SignedIn, event_id: str) -> tuple[Event, dict[str, Any]]:
    raw = await event_json(web, user, event_id)
    return Event.model_validate(raw), raw


async def conflicts(
    web: Web, user: SignedIn, event: Event, proposed: Mapping[str, str] | None = None
) -> list[Conflict]:
    """Warnings for the saved event, or for the times and venue being typed (``proposed``)."""
    response = await as_person(
        web, user, "GET", f"/events/{event.id}/conflicts", params=dict(proposed or {})
    )
    if response.status_code == 422:  # times being typed that end before they start
        return []
    checked(response)
    return [
        Conflict.model_validate({**item, "timezone": event.timezone}) for item in response.json()
    ]


async def send(
    web: Web, user: SignedIn, method: str, api_path: str, **kwargs: Any
) -> dict[str, Any]:
    """A change as the person; a refusal is :class:`Refused` for the form to explain."""
    response = await as_person(web, user, method, api_path, **kwargs)
    checked(response)
    answer: dict[str, Any] = response.json()
    return answer


def refusal_errors(refused: Refused, fields: Collection[str]) -> tuple[dict[str, str], str | None]:
    """The API's refusal as messages by form field, or one for the summary (the API's text is
    English; the reader gets ours)."""
    if refused.status == 401:
        raise SignInRequired from refused
    errors: dict[str, str] = {}
    for parts in refused.invalid_names():
        place = next((PLACES[p] for p in reversed(parts) if p in PLACES), None)
        if place is not None and place in fields:
            errors.setdefault(place, NOT_ACCEPTED)
    if errors:
        return errors, None
    return {}, NOT_NOW if refused.status == 409 else NOT_ACCEPTED


def done(request: Request, text: str, title: str, event_id: str) -> RedirectResponse:
    """After a change: back to the event's planning page, which says what happened."""
    request.session[NOTICE] = {"text": text, "title": title}
    return RedirectResponse(path(event_id), status_code=303)
