"""Dates, times and numbers for the reader's language, in the event's own time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from samling_web.i18n import babel_locale

EN_DASH = "\u2013"  # the typographic dash of a range: 09:00\u201315:00


def local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))


def event_date(moment: datetime, timezone: str, language: str) -> str:
    """E.g. "tirsdag 10. februar 2027" (the day the event starts where it happens)."""
    return format_date(local(moment, timezone), format="full", locale=babel_locale(language))


def event_time(moment: datetime, timezone: str, language: str) -> str:
    """E.g. "09:00"."""
    return format_time(local(moment, timezone), format="short", locale=babel_locale(language))


def event_span(starts_at: datetime, ends_at: datetime, timezone: str, language: str) -> str:
    """When an event happens: "tirsdag 10. februar 2027, 09:00-15:00" (with an en dash), or
    both dates when it ends on another day."""
    start, end = local(starts_at, timezone), local(ends_at, timezone)
    if start.date() == end.date():
        return (
            f"{event_date(start, timezone, language)}, "
            f"{event_time(start, timezone, language)}{EN_DASH}{event_time(end, timezone, language)}"
        )
    return (
        f"{event_date(start, timezone, language)} {event_time(start, timezone, language)} {EN_DASH} "
        f"{event_date(end, timezone, language)} {event_time(end, timezone, language)}"
    )


def moment(value: datetime, timezone: str, language: str) -> str:
    """A deadline or an offer's end: date and time, e.g. "10. feb. 2027, 09:00"."""
    at = local(value, timezone)
    day = format_date(at, format="medium", locale=babel_locale(language))
    return f"{day}, {event_time(at, timezone, language)}"


def agenda_time(at: datetime, event_starts_at: datetime, timezone: str, language: str) -> str:
    """An agenda item's start: the time alone on the event's first day, else day and time."""
    if local(at, timezone).date() == local(event_starts_at, timezone).date():
        return event_time(at, timezone, language)
    return moment(at, timezone, language)


def day(value: date, language: str) -> str:
    """A calendar date with no time of day, e.g. "4. desember 2026" (a membership's start)."""
    return format_date(value, format="long", locale=babel_locale(language))


def number(value: int, language: str) -> str:
    return format_decimal(value, locale=babel_locale(language))
