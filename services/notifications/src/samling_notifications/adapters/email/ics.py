"""The event's iCalendar file: one UID per event, SEQUENCE from the facts (RFC 5545/5546).

Times are local to the event's time zone (TZID plus its VTIMEZONE), so a calendar shows 09:00
Europe/Oslo whether the event falls in summer or winter time; DTSTAMP is when the file was made.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

DEFAULT_TIMEZONE = "Europe/Oslo"
# The VTIMEZONE describes the zone's rules this long around the event: enough for any client,
# small enough for a mail attachment.
ZONE_MARGIN = timedelta(days=366)


def event_ics(
    *,
    event_id: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    sequence: int,
    stamp: datetime,
    timezone: str | None = None,
    venue: str | None = None,
    online_url: str | None = None,
    cancelled: bool = False,
    organizer: str = "noreply@samling.no",
) -> bytes:
    zone = ZoneInfo(timezone or DEFAULT_TIMEZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//Samling//notifications//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"{event_id}@samling.no")
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", starts_at.astimezone(zone))
    event.add("dtend", ends_at.astimezone(zone))
    event.add("summary", title)
    event.add("organizer", f"mailto:{organizer}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if venue:
        event.add("location", venue)
    if online_url:
        event.add("url", online_url)
    calendar.add_component(event)
    calendar.add_missing_timezones(
        first_date=(starts_at - ZONE_MARGIN).date(), last_date=(ends_at + ZONE_MARGIN).date()
    )
    data: bytes = calendar.to_ical()
    return data
