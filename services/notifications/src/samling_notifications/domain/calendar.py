"""The event's iCalendar file: one UID per event, SEQUENCE from the facts (RFC 5545/5546)."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event


def event_ics(
    *,
    event_id: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    sequence: int,
    stamp: datetime,
    venue: str | None = None,
    online_url: str | None = None,
    cancelled: bool = False,
    organizer: str = "noreply@samling.no",
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Samling//notifications//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"{event_id}@samling.no")
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("summary", title)
    event.add("organizer", f"mailto:{organizer}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if venue:
        event.add("location", venue)
    if online_url:
        event.add("url", online_url)
    calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
