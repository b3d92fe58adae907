"""iCalendar (RFC 5545): one .ics per event, feeds per network, municipality and participant.

Each event keeps one UID; every visible change raises its SEQUENCE (the event's ``sequence``),
and a cancelled event stays in the feed with STATUS:CANCELLED, so calendar clients update the
entry instead of adding a second one. Times are local to the event's time zone (TZID plus its
VTIMEZONE), so an event at 09:00 in Oslo reads 09:00 on either side of a daylight-saving change;
DTSTAMP is when the feed was made. Feeds hold no personal data and need no account
(calendar apps cannot send a bearer token); the personal feed sits behind the private link.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Response
from icalendar import Calendar
from icalendar import Event as VEvent
from samling_runtime.auth import CurrentPrincipal
from samling_runtime.inputs import SingleLine

from samling_events.adapters.api.deps import (
    RuntimeDep,
    SettingsDep,
    StoresDep,
    errors,
    visible_event,
)
from samling_events.adapters.api.tokens import participant_from_token
from samling_events.domain.events import Event, EventStatus

router = APIRouter(tags=["calendar"])
ICS = "text/calendar; charset=utf-8"
ICS_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}, "description": "An iCalendar file."}
}


# The VTIMEZONEs describe the zone's rules this long around the events, which covers any
# recurrence a client might expand and keeps the feed small.
ZONE_MARGIN = timedelta(days=366)


def vevent(event: Event, stamp: datetime) -> VEvent:
    zone = ZoneInfo(event.timezone)
    entry = VEvent()
    entry.add("uid", f"{event.id}@samling.no")
    entry.add("sequence", event.sequence)
    entry.add("summary", event.title)
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", event.ends_at.astimezone(zone))
    entry.add("dtstamp", stamp.astimezone(UTC))
    entry.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    if event.venue:
        entry.add("location", event.venue)
    if event.online_url:
        entry.add("url", event.online_url)
    if event.description:
        entry.add("description", event.description)
    return entry


def calendar(name: str, events: list[Event], now: datetime) -> Response:
    """The feed as of ``now`` (its DTSTAMP), with a VTIMEZONE for every zone it uses."""
    cal = Calendar()
    cal.add("prodid", "-//Samling//events//NO")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("method", "PUBLISH")
    for event in sorted(events, key=lambda e: e.starts_at):
        cal.add_component(vevent(event, now))
    if events:
        cal.add_missing_timezones(
            first_date=(min(e.starts_at for e in events) - ZONE_MARGIN).date(),
            last_date=(max(e.ends_at for e in events) + ZONE_MARGIN).date(),
        )
    return Response(cal.to_ical(), media_type=ICS)


@router.get(
    "/events/{event_id}/calendar.ics",
    response_class=Response,
    responses={**errors(404), **ICS_RESPONSE},
    summary="One event as iCalendar",
)
async def event_ics(
    event_id: str, principal: CurrentPrincipal, stores: StoresDep, runtime: RuntimeDep
) -> Response:
    event = await visible_event(stores, principal, event_id)
    return calendar(event.title, [event], runtime.clock.now())


@router.get(
    "/calendars/networks/{network_id}.ics",
    response_class=Response,
    responses=ICS_RESPONSE,
    summary="A network's events (subscribe in a calendar app)",
)
async def network_feed(network_id: SingleLine, stores: StoresDep, runtime: RuntimeDep) -> Response:
    events = await stores.event_queries.listed_with("network_id", [network_id])
    return calendar(f"Samling: {network_id}", events, runtime.clock.now())


@router.get(
    "/calendars/municipalities/{municipality_id}.ics",
    response_class=Response,
    responses=ICS_RESPONSE,
    summary="Events of every network a municipality belongs to",
)
async def municipality_feed(
    municipality_id: SingleLine, stores: StoresDep, runtime: RuntimeDep
) -> Response:
    networks = await stores.network_views.active_networks_of(municipality_id)
    events = await stores.event_queries.listed_with("network_id", networks)
    return calendar(f"Samling: {municipality_id}", events, runtime.clock.now())


@router.get(
    "/manage/{token}/calendar.ics",
    response_class=Response,
    responses={**errors(404), **ICS_RESPONSE},
    tags=["self-service"],
    summary="My events (private link)",
)
async def personal_feed(
    token: str, stores: StoresDep, settings: SettingsDep, runtime: RuntimeDep
) -> Response:
    participant_id = participant_from_token(token, settings.participant_secret.get_secret_value())
    event_ids = await stores.registration_queries.events_with_seat_of(participant_id)
    events = await stores.event_queries.listed_with("_id", event_ids)
    return calendar("Samling: mine arrangementer", events, runtime.clock.now())
